#!/usr/bin/env bash
# Redis failovers again and again under load: a master, a replica and three
# sentinels on loopback, the three services on --redis=sentinel://..., clinics
# submitting and specialists claiming and reporting, and the master killed
# (-9) as soon as the last failover has settled and new cases flow, for
# MINUTES minutes (default 10). Prints the test's one summary line:
#
#   failover: N failovers, N submitted, N acknowledged, N reported, 0 lost, 0 reported twice,
#   0 duplicated claims; without service: intake max ..., referral max ...; promotion max ...
#
# and exits non-zero if anything was lost or served twice. The same test runs
# one failover under ctest (label failover); docs/DELIVERY.md, "Failover".
#   deploy/failover-soak.sh [MINUTES]
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-10}
build_dir=${TELEDERM_BUILD_DIR:-build}
deploy/build.sh telederm_failover_test >/dev/null
log=$(mktemp /tmp/telederm-failover-soak.XXXXXX)
status=0
TELEDERM_FAILOVER_SECONDS=$((minutes * 60)) \
  "$build_dir/tests/failover/telederm_failover_test" --gtest_filter='FailoverTest.*' >"$log" 2>&1 || status=$?
# Details (a case lost, a client error) first, on stderr; the summary last.
grep '^failover: ' "$log" | grep -v '^failover: [0-9]* failovers' >&2 || true
if ! grep '^failover: [0-9]* failovers' "$log"; then
  tail -n 60 "$log" >&2
  status=${status/#0/1}
fi
[ "$status" = 0 ] || echo "failover soak failed (exit $status); full log: $log" >&2
[ "$status" != 0 ] || rm -f "$log"
exit "$status"
