#!/usr/bin/env bash
# Loads deploy/redis/users.acl (with test passwords) into a real redis-server
# and checks each service user can do its work and cannot reach other keys or
# delete, trim or overwrite audit entries, and that the retention user can only
# read and trim them. Exit 0 when every check passes.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
redis_server=${TELEDERM_REDIS_SERVER:-$(command -v redis-server || echo /usr/bin/redis-server)}
dir=$(mktemp -d /tmp/telederm-acl.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
sed -E 's/#CHANGE-ME-sha256-of-([a-z]+)-password/>\1-test-pw/' "$root/deploy/redis/users.acl" > "$dir/users.acl"
"$redis_server" --port "$port" --bind 127.0.0.1 --aclfile "$dir/users.acl" --dir "$dir" --save '' \
  --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
cleanup() { [ -f "$dir/redis.pid" ] && kill "$(cat "$dir/redis.pid")" 2>/dev/null; sleep 0.2; rm -rf "$dir"; }
trap cleanup EXIT
for _ in $(seq 50); do redis-cli -p "$port" --user backup --pass backup-test-pw --no-auth-warning ping >/dev/null 2>&1 && break; sleep 0.1; done

failures=0
as() { local user=$1; shift; redis-cli -p "$port" --user "$user" --pass "$user-test-pw" --no-auth-warning "$@" 2>&1; }
allowed() {
  local out; out=$(as "$@")
  if echo "$out" | grep -qE "NOPERM|NOAUTH|WRONGPASS|ERR"; then echo "FAIL allowed: $* -> $out"; failures=$((failures+1)); fi
}
refused() {
  local out; out=$(as "$@")
  # Inside a script Redis refuses with "ERR The user executing the script can't ...".
  if ! echo "$out" | grep -qE "NOPERM|NOAUTH|WRONGPASS|user executing the script can't"; then
    echo "FAIL refused: $* -> $out"; failures=$((failures+1))
  fi
}

grep -q "user default off" "$root/deploy/redis/users.acl" || { echo "FAIL: the default user is not off"; failures=$((failures+1)); }
out=$(redis-cli -p "$port" ping 2>&1); echo "$out" | grep -q PONG && { echo "FAIL: unauthenticated PING answered"; failures=$((failures+1)); }

for svc in intake triage referral; do
  allowed "$svc" XADD 'audit:{log}' '*' sub x
  allowed "$svc" XREVRANGE 'audit:{log}:case:c-1' + -
  refused "$svc" XDEL 'audit:{log}' 0-1
  refused "$svc" XTRIM 'audit:{log}' MAXLEN 0
  refused "$svc" DEL 'audit:{log}'
  refused "$svc" SET 'audit:{log}' x
  refused "$svc" EVAL "return redis.call('XDEL', KEYS[1], '0-1')" 1 'audit:{log}'
  allowed "$svc" RPUSH 'audit:{log}:case:c-2' 1-1
  allowed "$svc" LRANGE 'audit:{log}:case:c-2' 0 -1
  refused "$svc" LSET 'audit:{log}:case:c-2' 0 2-2
  refused "$svc" LREM 'audit:{log}:case:c-2' 0 1-1
  refused "$svc" LTRIM 'audit:{log}:case:c-2' 1 0
  refused "$svc" LPOP 'audit:{log}:case:c-2'
  refused "$svc" RPOP 'audit:{log}:case:c-2'
  refused "$svc" EVAL "return redis.call('LSET', KEYS[1], 0, '2-2')" 1 'audit:{log}:case:c-2'
  allowed "$svc" APPEND 'audit:{log}:case:c-3' '1-1 '
  allowed "$svc" GETRANGE 'audit:{log}:case:c-3' 0 -1
  allowed "$svc" STRLEN 'audit:{log}:case:c-3'
  refused "$svc" SETRANGE 'audit:{log}:case:c-3' 0 9
  refused "$svc" SET 'audit:{log}:case:c-3' 2-2
  refused "$svc" GETDEL 'audit:{log}:case:c-3'
  refused "$svc" GETSET 'audit:{log}:case:c-3' 2-2
  refused "$svc" EVAL "return redis.call('SETRANGE', KEYS[1], 0, '9')" 1 'audit:{log}:case:c-3'
  allowed "$svc" HSETNX 'audit:{log}:words' 1 clinic
  allowed "$svc" HGET 'audit:{log}:words' 1
  allowed "$svc" HLEN 'audit:{log}:codes'
  refused "$svc" HSET 'audit:{log}:words' 1 specialist
  refused "$svc" HDEL 'audit:{log}:words' 1
  refused "$svc" HINCRBY 'audit:{log}:codes' clinic 1
  refused "$svc" EVAL "return redis.call('HSET', KEYS[1], '1', 'x')" 1 'audit:{log}:words'
  allowed "$svc" HSET 'case:{c-1}' v 1
  allowed "$svc" ZADD 'auth:{tokens}:revoked' 1 j
  refused "$svc" FLUSHALL
  refused "$svc" CONFIG SET appendonly no
  refused "$svc" KEYS '*'
done
allowed intake XADD stream:intake '*' case c-1
allowed intake RPUSH 'clinic:{a}:caselist' c-1
allowed intake LPOS 'clinic:{a}:caselist' c-1
allowed intake HSET 'clinic:{a}:imgweek:2918' digest ''
allowed intake PEXPIRE 'clinic:{a}:imgweek:2918' 5000000000
allowed intake HMGET 'clinic:{a}:imgweek:2918' digest other
refused intake RPUSH 'case:{c-1}:x' c-1
refused intake LSET 'clinic:{a}:caselist' 0 c-2
refused triage RPUSH 'clinic:{a}:caselist' c-1
refused intake ZADD 'pool:{general}:queue' 1 c-1
refused intake HSET 'directory:{staff}:specialists' dr x
allowed intake HGET 'directory:{staff}:specialists' dr
allowed triage HGET 'directory:{staff}:specialists' dr
refused triage HSET 'directory:{staff}:specialists' dr x
refused triage HGET 'directory:{staff}:pools' general
allowed triage XADD stream:triaged '*' case c-1
refused triage ZADD 'pool:{general}:queue' 1 c-1
allowed referral ZADD 'pool:{general}:queue' 1 c-1
allowed referral HSET 'directory:{staff}:specialists' dr x
allowed referral HINCRBY 'screening:{outcomes}:all' reported 1
refused intake HINCRBY 'screening:{outcomes}:all' reported 1
allowed auditretention XTRIM 'audit:{log}' MINID 0-1
allowed auditretention XTRIM 'audit:{log}:user:-' MINID 0-1
allowed auditretention XRANGE 'audit:{log}' - +
allowed auditretention HGET 'audit:{log}:words' 1
allowed auditretention SCAN 0 MATCH 'audit:{log}:user:*' TYPE stream
refused auditretention XADD 'audit:{log}' '*' sub x
refused auditretention XDEL 'audit:{log}' 0-1
refused auditretention DEL 'audit:{log}'
refused auditretention HSET 'audit:{log}:words' 1 x
refused auditretention XRANGE stream:intake - +
refused auditretention HGET 'case:{c-1}' pb
allowed backup XRANGE 'audit:{log}' - +
refused backup SET 'case:{c-1}' x
# Under Sentinel: every service checks ROLE; intake and referral wait for
# replicas through their barrier channel and no other.
for svc in intake triage referral auditretention; do allowed "$svc" ROLE; done
for svc in intake referral; do
  allowed "$svc" PUBLISH telederm:replication-barrier ''
  allowed "$svc" WAIT 0 10
  refused "$svc" PUBLISH other-channel ''
done
refused triage PUBLISH telederm:replication-barrier ''
# The sentinels' and replicas' users reach no data.
allowed sentinel INFO replication
refused sentinel GET 'case:{c-1}'
refused sentinel PUBLISH telederm:replication-barrier ''
refused replica GET 'case:{c-1}'
refused replica INFO

if [ "$failures" -gt 0 ]; then echo "redis ACL: $failures check(s) failed"; exit 1; fi
echo "redis ACL: all checks passed"
