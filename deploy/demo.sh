#!/usr/bin/env bash
# README command (a): installs what is missing, builds, starts Redis, the
# three services and the web console (telederm-web, docs/WEB.md) on loopback,
# and plays a morning at a village clinic: four
# cases are submitted (the dangerous one not first), the specialist queue is
# printed with the high-risk case at the top, a dermatologist claims and
# reports it, and the clinic receives the report (deploy/demo-flow.sh).
#
#   deploy/demo.sh              run the demo, then stop everything
#   deploy/demo.sh --keep       leave the stack running afterwards (Ctrl-C stops it)
set -euo pipefail
cd "$(dirname "$0")/.."
keep=0
[ "${1:-}" = "--keep" ] && keep=1

deploy/install-deps.sh
echo "== building"
deploy/build.sh telederm-intake telederm-triage telederm-referral telederm telederm-web
bin=$PWD/${TELEDERM_BUILD_DIR:-build}

run=$(mktemp -d /tmp/telederm-demo.XXXXXX)
pids=()
stop() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop EXIT

# TLS everywhere, even on loopback: a development CA, certificates and token
# keys of the demo's own (docs/SECURITY.md). The services read these variables.
deploy/dev-certs.sh "$run/certs" >/dev/null
export TELEDERM_TLS_CERT=$run/certs/server.pem TELEDERM_TLS_KEY=$run/certs/server.key
export TELEDERM_TLS_CLIENT_CA=$run/certs/ca.pem TELEDERM_TOKEN_KEYS=$run/certs/token-keys
export TELEDERM_CA_CERT=$run/certs/ca.pem  # the CLI trusts the development CA

# A Redis of the demo's own, with AOF, so a system Redis on 6379 is untouched.
# It runs on this host, so the services reach it over its Unix socket (cheaper
# per command than TCP loopback; docs/REDIS.md, "Transport"). Its loopback
# port stays open for redis-cli; a Redis on another host is host:port.
redis_port=${TELEDERM_DEMO_REDIS_PORT:-6390}
export TELEDERM_REDIS=unix:$run/redis.sock
export TELEDERM_DATA_DIR=$run/data
redis-server --port "$redis_port" --bind 127.0.0.1 --unixsocket "$run/redis.sock" --unixsocketperm 700 \
  --dir "$run" --appendonly yes --save '' --daemonize no --logfile "$run/redis.log" &
pids+=($!)
for _ in $(seq 50); do redis-cli -s "$run/redis.sock" ping >/dev/null 2>&1 && break; sleep 0.1; done

"$bin/services/intake/telederm-intake" 2>"$run/intake.log" & pids+=($!)
"$bin/services/triage/telederm-triage" 2>"$run/triage.log" & pids+=($!)
"$bin/services/referral/telederm-referral" 2>"$run/referral.log" & pids+=($!)
# The console's gateway: HTTPS with the demo's server certificate, trusting the
# demo's CA towards the services; it holds no token of its own.
web_port=${TELEDERM_DEMO_WEB_PORT:-8443}
"$bin/services/web/telederm-web" --listen "127.0.0.1:$web_port" \
  --tls_cert "$run/certs/server.pem" --tls_key "$run/certs/server.key" --tls_ca "$run/certs/ca.pem" \
  --static_dir services/web/static --icd10_table services/referral/data/icd10_skin.tsv 2>"$run/web.log" & pids+=($!)
for port in 50051 50052 50053 "$web_port"; do
  for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
done
echo "== stack running over TLS: redis $TELEDERM_REDIS, intake :50051, triage :50052, referral :50053, web :$web_port (logs in $run)"

cli=("$bin/tools/cli/telederm") images=tests/data/cases token_keys=$TELEDERM_TOKEN_KEYS
. deploy/demo-flow.sh

echo "== the web console: https://localhost:$web_port/"
echo "   (the browser must trust the demo's CA $run/certs/ca.pem, or accept its warning once)"
echo "   paste on the sign-in page, as the clinic:        $clinic_token"
echo "   paste on the sign-in page, as the dermatologist: $dr_token"

if [ "$keep" = 1 ]; then
  echo "   try: ${cli[*]} --auth-token $clinic_token cases   (TELEDERM_CA_CERT=$TELEDERM_CA_CERT)"
  echo "== the stack keeps running; Ctrl-C stops it"
  wait
fi
