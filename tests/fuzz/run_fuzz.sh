#!/usr/bin/env bash
# A short fuzz run for CI: builds the libFuzzer targets with clang (in their
# own build directory, so the gcc build is untouched) and runs each for
# TELEDERM_FUZZ_SECONDS (default 15; 0 skips) from the seed corpus in tests/fuzz/corpus.
# New inputs go to the work directory, never into the repository. A crash
# leaves its reproducer in the work directory and fails the run.
#
#   tests/fuzz/run_fuzz.sh WORK_DIR [target ...]
# Exit 77 (ctest: skipped) when clang++ is not installed.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:?usage: run_fuzz.sh WORK_DIR [target ...]}
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(imaging_fuzzer dicom_fuzzer case_validation_fuzzer redis_reply_fuzzer token_fuzzer)
seconds=${TELEDERM_FUZZ_SECONDS:-15}
clang=$(command -v clang++ || command -v clang++-14 || true)
if [ -z "$clang" ]; then echo "fuzz: clang++ not installed; skipped"; exit 77; fi
if [ "$seconds" = 0 ]; then echo "fuzz: TELEDERM_FUZZ_SECONDS=0; skipped"; exit 77; fi

mkdir -p "$work"
cmake -S "$src" -B "$work/build" -DCMAKE_CXX_COMPILER="$clang" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DTELEDERM_FUZZ=ON -DTELEDERM_SKIP="intake;triage;referral;cli;eval;bench;e2e;security" >"$work/cmake.log" 2>&1 \
  || { tail -30 "$work/cmake.log"; exit 1; }
cmake --build "$work/build" -j"${TELEDERM_FUZZ_JOBS:-2}" --target "${targets[@]}" >"$work/build.log" 2>&1 \
  || { grep -E "error|Error" -A3 "$work/build.log" | head -40; exit 1; }

status=0
for target in "${targets[@]}"; do
  name=${target%_fuzzer}
  mkdir -p "$work/corpus/$name" "$work/crashes/$name"
  echo "fuzz: $target for ${seconds}s"
  if ! "$work/build/tests/fuzz/$target" "$work/corpus/$name" "$src/tests/fuzz/corpus/$name" \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
      -artifact_prefix="$work/crashes/$name/" -print_final_stats=1 >"$work/$name.log" 2>&1; then
    echo "fuzz: $target FOUND A CRASH (reproducer in $work/crashes/$name/)"
    grep -E "ERROR|SUMMARY|#0 |#1 |#2 |#3 " "$work/$name.log" | head -20
    status=1
  else
    grep -E "stat::number_of_executed_units|stat::new_units_added" "$work/$name.log" | tr '\n' ' '
    echo
  fi
done
exit $status
