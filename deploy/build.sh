#!/usr/bin/env bash
# Configures and builds telederm into ./build (or $TELEDERM_BUILD_DIR).
# Extra arguments are build targets; none builds everything.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${TELEDERM_BUILD_DIR:-build}
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
targets=()
for t in "$@"; do targets+=(--target "$t"); done
cmake --build "$build_dir" -j"$(nproc)" "${targets[@]}"
