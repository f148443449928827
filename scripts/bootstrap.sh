#!/usr/bin/env bash
# Installs everything the build, the tests and the demo need on a fresh Debian 12 machine, and
# does nothing (in well under a second) when it is all present. Called by `npm test` and
# `npm run demo`; safe to run by hand.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages (see docs/architecture.md, "System dependencies").
DEB_PACKAGES=(
  g++ cmake ninja-build ccache pkg-config
  zlib1g-dev libopenblas-dev libdnnl-dev ocl-icd-opencl-dev libzmq3-dev libgtest-dev libdlpack-dev swig
  python3-dev python3-venv
  dataset-fashion-mnist
)
missing=()
for pkg in "${DEB_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
if ((${#missing[@]})); then
  echo "bootstrap: installing Debian packages: ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Node.js 20.19+ is the one toolchain we expect the machine to have (Debian 12 ships 18).
node_major=$(node -p 'process.versions.node.split(".").map(Number).reduce((a, v, i) => i < 2 ? a * 1000 + v : a, 0)')
if [ "$node_major" -lt 20019 ]; then
  echo "bootstrap: Node.js >= 20.19 is required, found $(node --version)" >&2
  exit 1
fi

# npm dependencies: reinstall only when the lockfile changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "bootstrap: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

# ---- Python (bindings-python) -----------------------------------------------------------------
# A virtual environment at .venv (git-ignored) made from Debian's python3, whose headers
# python3-dev provides (a python3 earlier on PATH may be another interpreter without them). Its
# pip dependencies are reinstalled only when bindings-python/requirements-dev.txt changes.
PY_REQS=bindings-python/requirements-dev.txt
PY_STAMP=.venv/.requirements-dev.stamp
if [ ! -x .venv/bin/python ] || ! grep -q '^home = /usr/bin$' .venv/pyvenv.cfg 2>/dev/null; then
  echo "bootstrap: creating .venv from /usr/bin/python3"
  rm -rf .venv
  /usr/bin/python3 -m venv .venv
fi
if [ ! -f "$PY_STAMP" ] || ! cmp -s "$PY_REQS" "$PY_STAMP"; then
  echo "bootstrap: pip install -r $PY_REQS"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$PY_REQS"
  cp "$PY_REQS" "$PY_STAMP"
fi
# ---- end Python --------------------------------------------------------------------------------
