#!/usr/bin/env bash
# Builds telederm's container images with podman and runs them: the compose
# stack (deploy/docker-compose.yml, podman-compose), then the Kubernetes
# manifests (deploy/k8s/, podman kube play). Against each it plays the demo's
# flow over TLS with the telederm CLI from the cli image (deploy/demo-flow.sh:
# submit, pre-screen, claim, report, the clinic receives the report), prints
# each image's size and tears everything down. Needs root; installs podman,
# runc, podman-compose and debootstrap when missing. No registry is needed:
# the debian:bookworm base image is made with debootstrap from Debian's
# archive (cached in $TELEDERM_CONTAINER_CACHE, default /var/tmp/telederm-containers).
#
#   deploy/container-check.sh
# Settings: TELEDERM_BUILD_JOBS (default: 2 when the machine is idle, else 1).
# Exits non-zero with "container-check: FAILED: ..." on the first failure.
# deploy/README.md ("Containers built and run here") says what runs and what podman does not support.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
export CONTAINERS_CONF=$repo/deploy/podman/containers.conf
cache=${TELEDERM_CONTAINER_CACHE:-/var/tmp/telederm-containers}
project=telederm
kube_network=telederm-kube
started=$SECONDS

step() { printf '== [%4ds] %s\n' "$((SECONDS - started))" "$*"; }
fail() { echo "container-check: FAILED: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || fail "needs root (podman runs rootful here)"

# 1. Podman and the tools the script needs.
tools=(podman:podman runc:runc podman-compose:podman-compose debootstrap:debootstrap openssl:openssl ip:iproute2)
missing=()
for t in "${tools[@]}"; do command -v "${t%%:*}" >/dev/null || missing+=("${t#*:}"); done
/usr/bin/python3 -c 'import yaml' 2>/dev/null || missing+=(python3-yaml)
# netavark and aardvark-dns (container names in DNS; podman/containers.conf)
# are only recommended by podman's dependencies, so name them; netavark 1.4
# runs iptables for every container and does not depend on it (on a fresh
# machine: "netavark: No such file or directory (os error 2)"). catatonit,
# also only recommended, is the init of the pause container that podman kube
# play builds for each pod ("finding pause binary: exec: \"catatonit\":
# executable file not found").
for p in netavark aardvark-dns iptables catatonit; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  step "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || fail "could not install ${missing[*]}"
fi
step "$(podman --version), $(runc --version | head -1), podman-compose $(dpkg-query -W -f='${Version}' podman-compose)"

# 2. The base image: Debian 12 from Debian's archive, imported once.
if ! podman image exists debian:bookworm; then
  mkdir -p "$cache"
  if [ ! -f "$cache/bookworm.tar" ]; then
    step "debootstrap bookworm (minbase) into $cache/bookworm.tar"
    root=$(mktemp -d "$cache/root.XXXXXX")
    debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >"$cache/debootstrap.log" 2>&1 \
      || { rm -rf "$root"; fail "debootstrap failed, see $cache/debootstrap.log"; }
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
    tar -C "$root" -cf "$cache/bookworm.tar.part" . && mv "$cache/bookworm.tar.part" "$cache/bookworm.tar"
    rm -rf "$root"
  fi
  step "podman import $cache/bookworm.tar as debian:bookworm"
  podman import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["/bin/bash"]' "$cache/bookworm.tar" debian:bookworm >/dev/null || fail "podman import failed"
fi

# 3. The images, one build at a time; the build stage compiles once for all.
# The build's RUN steps use the host's network: they only fetch from Debian's
# archive, and a bridge's NAT is one more thing that can fail (it does in a chroot).
jobs=${TELEDERM_BUILD_JOBS:-}
if [ -z "$jobs" ]; then
  jobs=1
  awk '{exit !($1 < 1.0)}' /proc/loadavg && jobs=2
fi
mkdir -p "$cache/ccache"
targets=(redis cli intake triage referral web)
for target in "${targets[@]}"; do
  step "podman build --target $target (-j$jobs)"
  podman build --format docker --network host -v "$cache/ccache:/ccache" --build-arg JOBS="$jobs" \
    -f deploy/docker/Dockerfile --target "$target" -t "telederm-$target:latest" . >"$cache/build-$target.log" 2>&1 \
    || { tail -30 "$cache/build-$target.log" >&2; fail "building $target, see $cache/build-$target.log"; }
done
step "image sizes"
for target in "${targets[@]}"; do
  size=$(podman image inspect "telederm-$target:latest" --format '{{.Size}}')
  printf '   telederm-%-9s %6d MB\n' "$target" "$((size / 1000000))"
done

# 4. Secrets of this run only: certificates naming the services as the
# containers reach them, a token key ring, Redis passwords and their ACL.
run=$(mktemp -d /tmp/telederm-containers.XXXXXX)
compose=(podman-compose -p "$project" -f deploy/docker-compose.yml)
kube_yaml=$run/kube.yaml
bridges=()
teardown() {
  local rc=$?
  [ "$rc" = 0 ] || dump_logs
  podman ps -a --format '{{.Names}}' | grep '^telederm-cli-' | xargs -r podman rm -f >/dev/null 2>&1 || true
  "${compose[@]}" down -v >/dev/null 2>&1 || true
  [ -f "$kube_yaml" ] && podman kube down "$kube_yaml" >/dev/null 2>&1 || true
  podman volume rm -f telederm-blobs telederm-redis-data >/dev/null 2>&1 || true
  for s in telederm-tls telederm-token-keys telederm-redis-passwords telederm-redis-config; do
    podman secret rm "$s" >/dev/null 2>&1 || true
  done
  podman network rm -f "${project}_default" "$kube_network" >/dev/null 2>&1 || true
  remove_unused_bridges
  rm -rf "$run"
  step "torn down"
}
dump_logs() {
  for c in $(podman ps -a --format '{{.Names}}' | grep -E "^(${project}_|telederm-)" || true); do
    echo "--- last log lines of $c" >&2
    podman logs --tail 15 "$c" >&2 2>&1 || true
  done
}
trap teardown EXIT

step "secrets for this run in $run"
TELEDERM_DEV_CERT_HOSTS="intake triage referral web telederm-intake telederm-triage telederm-referral" \
  deploy/dev-certs.sh "$run/secrets" >/dev/null
cp deploy/redis/users.acl "$run/users.acl"
for user in $(grep -o '#CHANGE-ME-sha256-of-[a-z]*-password' deploy/redis/users.acl | sed 's/.*-of-//; s/-password//'); do
  password=$(openssl rand -hex 32)
  printf '%s' "$password" > "$run/secrets/redis-$user.password"
  hash=$(printf '%s' "$password" | sha256sum | cut -d' ' -f1)
  sed -i "s/#CHANGE-ME-sha256-of-$user-password/#$hash/" "$run/users.acl"
done
# The services and the CLI run as uid 10001, Redis as 999.
chown -R 10001:10001 "$run/secrets"
chmod 644 "$run/users.acl"

# The CLI in its image, with the run's CA and token keys; the flow's images
# are tests/data/cases. One container per network (telederm-cli-NETWORK)
# stays up while the flow runs and each command is a `podman exec` in it, so
# no container joins or leaves a network during the flow (each one makes
# aardvark-dns 1.4 reload; deploy/README.md, "Container names in DNS"), and
# the flow starts only when the services' names resolve from it. gRPC
# resolves with the system's resolver (GRPC_DNS_RESOLVER=native), which
# follows podman/containers.conf's dns_options; its own (c-ares) let calls to
# triage, two addresses, run out their deadline while the system's answered.
cli_in() {  # network, the names the flow reaches, then podman run options (--dns, the services' addresses)
  local network=$1 names=$2; shift 2
  local name=telederm-cli-$network
  podman rm -f "$name" >/dev/null 2>&1 || true
  podman run -d --rm --name "$name" --no-healthcheck --network "$network" -v "$run/secrets:/secrets:ro" \
    -v "$repo/tests/data:/data:ro" -e TELEDERM_CA_CERT=/secrets/ca.pem -e GRPC_DNS_RESOLVER=native "$@" \
    --entrypoint sleep \
    telederm-cli:latest infinity >/dev/null || fail "starting the CLI container on $network"
  cli=(podman exec "$name" telederm)
  images=/data/cases token_keys=/secrets/token-keys
  local _
  for _ in $(seq 30); do
    # shellcheck disable=SC2086  # one name per word
    podman exec "$name" timeout 2 getent ahostsv4 $names >/dev/null 2>&1 && return
    sleep 1
  done
  fail "the CLI container on $network cannot resolve $names"
}

# A network made by podman/network.sh, its bridge's MAC fixed before any
# container joins; dns_server is its gateway, where aardvark-dns answers,
# each container's only DNS server (deploy/README.md, "Container names in DNS").
network_up() {
  local name=$1 subnet bridge
  dns_server=$(deploy/podman/network.sh "$name") || fail "making the network $name"
  read -r subnet bridge < <(podman network inspect "$name" \
    --format '{{range .Subnets}}{{.Subnet}} {{end}}{{.NetworkInterface}}')
  bridges+=("$bridge")
  [ "$(cat "/sys/class/net/$bridge/addr_assign_type")" = 3 ] || fail "the bridge $bridge of $name has no fixed MAC"
  step "network $name: $subnet, DNS at $dns_server (aardvark-dns) only, bridge $bridge keeps MAC $(cat "/sys/class/net/$bridge/address")"
}

dns_only_aardvark() {  # container names: their only DNS server is dns_server
  local c servers
  for c in "$@"; do
    servers=$(podman exec "$c" cat /etc/resolv.conf | awk '$1 == "nameserver" {print $2}' | paste -sd' ')
    [ "$servers" = "$dns_server" ] || fail "$c asks the DNS servers '$servers', not aardvark-dns at $dns_server alone"
  done
}

# netavark deletes a bridge when its last container leaves; one that
# podman/network.sh made and no container joined (a run that failed before)
# would stay, holding its subnet.
remove_unused_bridges() {
  local b
  for b in "${bridges[@]}"; do
    [ -d "/sys/class/net/$b/brif" ] && [ -z "$(ls "/sys/class/net/$b/brif")" ] && ip link del "$b" 2>/dev/null
  done
  return 0
}

# A container's health: its HEALTHCHECK (`podman healthcheck run`). podman
# kube play gives its containers none (only probes, which the render drops),
# so there the image's own HEALTHCHECK command runs with `podman exec`.
health_command() {  # the HEALTHCHECK command of container $1's image, one word a line
  local test
  test=$(podman image inspect "$(podman inspect "$1" --format '{{.ImageName}}')" \
    --format '{{range .Config.Healthcheck.Test}}{{printf "%s\n" .}}{{end}}')
  [ "$(head -1 <<<"$test")" = CMD ] || fail "$1: its image has no HEALTHCHECK command"
  tail -n +2 <<<"$test"
}
healthy() {
  local c=$1 test
  [ "$(podman inspect "$c" --format '{{if .Config.Healthcheck}}yes{{end}}')" = yes ] \
    && { podman healthcheck run "$c" >/dev/null 2>&1; return; }
  mapfile -t test < <(health_command "$c")
  podman exec "$c" "${test[@]}" >/dev/null 2>&1
}
# Why $1 is not healthy: its health check run once more by `podman exec`, with
# what it printed and its exit status.
health_failure() {
  local test output status=0
  mapfile -t test < <(health_command "$1")
  output=$(podman exec "$1" "${test[@]}" 2>&1) || status=$?
  echo "$1 not healthy within 90 s: its health check (podman exec $1 ${test[*]}) exited $status${output:+, printing: $output}"
}
wait_healthy() {  # container names
  local c
  for c in "$@"; do
    for _ in $(seq 90); do
      healthy "$c" && continue 2
      [ "$(podman inspect "$c" --format '{{.State.Running}}')" = true ] || fail "$c stopped"
      sleep 1
    done
    fail "$(health_failure "$c")"
  done
}

# 5. The compose stack.
# Its network first, so that the bridge's MAC is fixed before any container
# joins (podman/network.sh); podman-compose uses a network that exists.
compose_network=${project}_default
network_up "$compose_network"
step "compose up: redis, intake, triage x2, referral, web"
export TELEDERM_SECRETS=$run/secrets TELEDERM_REDIS_ACL=$run/users.acl
"${compose[@]}" --podman-run-args="--dns=$dns_server" up -d --no-build >"$run/compose-up.log" 2>&1 || { cat "$run/compose-up.log" >&2; fail "compose up"; }
mapfile -t containers < <(podman ps --filter "label=io.podman.compose.project=$project" --format '{{.Names}}' | sort)
echo "   containers: ${containers[*]}"
[ ${#containers[@]} = 6 ] || { cat "$run/compose-up.log" >&2; fail "compose started ${#containers[@]} containers, not 6"; }
wait_healthy "${containers[@]}"
dns_only_aardvark "${containers[@]}"
step "compose: every container healthy (its image's HEALTHCHECK), each asks only $dns_server for names"
# The flow runs on the compose network by service name: triage has two
# replicas and so no published port; the published ones are checked after.
step "compose: the demo flow over TLS, by service name on $compose_network"
cli_in "$compose_network" "redis intake triage referral" --dns "$dns_server" \
  -e TELEDERM_INTAKE=intake:50051 -e TELEDERM_TRIAGE=triage:50052 -e TELEDERM_REFERRAL=referral:50053
. deploy/demo-flow.sh
step "compose: the published ports answer over TLS"
cli_in host localhost
"${cli[@]}" "${dr[@]}" queue >/dev/null || fail "referral's published port 50053 did not serve the queue"
"${cli[@]}" "${clinic[@]}" cases >/dev/null || fail "intake's published port 50051 did not list the clinic's cases"
echo "   127.0.0.1:50051 (intake) and 127.0.0.1:50053 (referral) served the clinic and the dermatologist"
step "compose: web console answers over HTTPS"
page=$(printf 'GET / HTTP/1.0\r\nHost: localhost\r\n\r\n' | openssl s_client -quiet -connect 127.0.0.1:8443 \
  -servername localhost -CAfile "$run/secrets/ca.pem" -verify_return_error 2>/dev/null | head -1 | tr -d '\r' || true)
echo "   GET https://localhost:8443/ -> $page"
[[ "$page" == "HTTP/1."?" 200"* ]] || fail "telederm-web did not serve its start page"
podman rm -f "telederm-cli-$compose_network" "telederm-cli-host" >/dev/null 2>&1 || true
"${compose[@]}" down -v >/dev/null 2>&1 || fail "compose down"
podman network rm "$compose_network" >/dev/null || fail "removing the network $compose_network"
remove_unused_bridges
step "compose: down"

# 6. The Kubernetes manifests, rendered for podman kube play.
network_up "$kube_network"
step "kube play: deploy/k8s rendered by deploy/podman/kube-render.py"
mkdir -p "$run/kube-secrets"
/usr/bin/python3 deploy/podman/kube-render.py deploy/k8s "$run/secrets" "$run/users.acl" "$run/kube-secrets" \
  "$dns_server" > "$kube_yaml" || fail "rendering deploy/k8s"
for f in "$run"/kube-secrets/*.yaml; do
  podman secret create "$(basename "$f" .yaml)" "$f" >/dev/null || fail "podman secret create from $f"
done
podman kube play --network "$kube_network" "$kube_yaml" >"$run/kube-play.log" 2>&1 \
  || { cat "$run/kube-play.log" >&2; fail "podman kube play"; }
mapfile -t containers < <(podman ps --format '{{.Names}}' | grep '^telederm-' | grep -v -- '-infra$' | sort)
echo "   containers: ${containers[*]}"
[ ${#containers[@]} = 4 ] || fail "kube play started ${#containers[@]} containers, not 4"
wait_healthy "${containers[@]}"
dns_only_aardvark "${containers[@]}"
step "kube: every container healthy, each asks only $dns_server for names"
step "kube: the demo flow over TLS, by Service name on the pods' network"
cli_in "$kube_network" "telederm-redis telederm-intake telederm-triage telederm-referral" --dns "$dns_server" \
  -e TELEDERM_INTAKE=telederm-intake:50051 -e TELEDERM_TRIAGE=telederm-triage:50052 \
  -e TELEDERM_REFERRAL=telederm-referral:50053
. deploy/demo-flow.sh
step "kube: done"
step "container-check: all passed"
