#!/usr/bin/env bash
# README command (b): installs what is missing, builds, and runs every test
# under ctest. Tests start their own redis-server and service processes on
# free loopback ports, so nothing needs to be running beforehand.
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh
deploy/build.sh
cd "${TELEDERM_BUILD_DIR:-build}"
ctest --output-on-failure -j"$(nproc)" --timeout 600
