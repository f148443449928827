#!/usr/bin/env bash
# Builds the Python package into the repository's .venv: generates mixnet/_generated/ops.py from
# the registry, then `pip install --no-build-isolation` (SWIG glue compiled by scikit-build-core
# against build/engine/lib/libmixnet.so, which is copied into the package). Skips the install when
# nothing it depends on changed since the last one (stamp under build/python/).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || bash scripts/bootstrap.sh

node --import tsx tools/codegen/src/cli.ts python --ops engine/ops --out bindings-python/mixnet/_generated --quiet

LIB_DIR="${MIXNET_LIB_DIR:-$PWD/build/engine/lib}"
stamp=build/python/install.stamp
inputs_hash=$(
  {
    sha1sum "$LIB_DIR/libmixnet.so" engine/swig/* engine/include/mixnet/c_api.h
    find bindings-python/pyproject.toml bindings-python/CMakeLists.txt bindings-python/mixnet -type f \
      \( -name '*.py' -o -name '*.toml' -o -name '*.txt' \) -print0 | sort -z | xargs -0 sha1sum
  } | sha1sum | cut -c1-40
)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$inputs_hash" ] && .venv/bin/python -c 'import mixnet' 2>/dev/null; then
  echo "bindings-python: up to date"
  exit 0
fi
MIXNET_LIB_DIR="$LIB_DIR" .venv/bin/python -m pip install --no-build-isolation --no-deps --quiet \
  --disable-pip-version-check ./bindings-python
mkdir -p build/python
echo "$inputs_hash" > "$stamp"
echo "bindings-python: installed into .venv"
