#!/usr/bin/env bash
# Reproduces every figure of docs/PERFORMANCE.md: builds telederm-bench and the
# three services (RelWithDebInfo, into ./build or $TELEDERM_BUILD_DIR), then
# runs every scenario beside its ceiling on this machine. The bench starts its
# own redis-server and services on free loopback ports and stops them at the
# end. Prints the table, then one JSON line (also written to <build dir>/bench.json).
# Extra arguments go to telederm-bench (e.g. --smoke, --scale=1000,10000).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${TELEDERM_BUILD_DIR:-build}
deploy/build.sh telederm-bench telederm-intake telederm-triage telederm-referral >/dev/null
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
exec "$build_dir/tools/bench/telederm-bench" --all --json_out="${TELEDERM_BENCH_JSON:-$build_dir/bench.json}" "$@"
