#!/usr/bin/env bash
# Configures (once) and builds the engine into build/engine with Ninja and ccache.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=build/engine
export CCACHE_BASEDIR="$PWD"
if [ ! -f "$build_dir/build.ninja" ]; then
  cmake -S engine -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release
fi
# Two cores, ~1 GB per heavy C++ TU: -j2 is the machine's limit.
cmake --build "$build_dir" -j "${MIXNET_BUILD_JOBS:-2}"
