#!/bin/bash
# The services' HEALTHCHECK: GET /healthz on the metrics port
# ($TELEDERM_METRICS_LISTEN), healthy on "200". bash's /dev/tcp, so the
# runtime images need no HTTP client. /healthz says what the gRPC health
# service says (docs/OBSERVABILITY.md).
set -eu
port=${TELEDERM_METRICS_LISTEN##*:}
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
read -r line <&3
read -r _ status _ <<<"$line"
[ "$status" = 200 ] || { echo "GET /healthz on port $port: ${line:-no answer}" >&2; exit 1; }
