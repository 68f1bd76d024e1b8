#!/usr/bin/env bash
# Makes the podman network NAME (when missing) for telederm's containers on a
# Debian 12 host, fixes its bridge's MAC address, and prints its gateway: the
# address where aardvark-dns answers, to give each container on NAME as its
# only DNS server (podman run --dns, podman-compose --podman-run-args=--dns=,
# a Pod's dnsConfig).
#
#   CONTAINERS_CONF=deploy/podman/containers.conf deploy/podman/network.sh NAME
#
# Run it before the first container joins NAME (deploy/container-check.sh runs
# it before `podman-compose up` and `podman kube play`), and again once every
# container has left, since netavark then deletes the bridge. Needs root.
#
# Why the MAC: netavark 1.4 (Debian 12) leaves it to the kernel, which gives
# a bridge the lowest MAC of its ports. A container joining with a lower one,
# or leaving, changes the gateway's MAC; the other containers keep the old one
# in their ARP cache and their DNS queries go unanswered until it expires
# (measured here: 20 to 50 s). A MAC set by hand is kept (netavark 1.10 sets
# one itself). Why only aardvark-dns: deploy/README.md, "Container names in DNS".
set -euo pipefail
[ $# = 1 ] || { echo "usage: $0 NETWORK" >&2; exit 2; }
name=$1
podman network exists "$name" || podman network create "$name" >/dev/null
bridge=$(podman network inspect "$name" --format '{{.NetworkInterface}}')
if [ ! -e "/sys/class/net/$bridge" ]; then
  # What netavark does when it makes the bridge: the gateway's address, up.
  # netavark uses a bridge that exists as it finds it.
  ip link add "$bridge" type bridge
  for gateway in $(podman network inspect "$name" --format '{{range .Subnets}}{{.Gateway}}/{{.Subnet}} {{end}}'); do
    ip addr add "${gateway%%/*}/${gateway##*/}" dev "$bridge"
  done
  ip link set "$bridge" up
fi
# addr_assign_type 3: set by hand, which the kernel keeps.
if [ "$(cat "/sys/class/net/$bridge/addr_assign_type")" != 3 ]; then
  ip link set dev "$bridge" address "$(cat "/sys/class/net/$bridge/address")"
fi
podman network inspect "$name" --format '{{range .Subnets}}{{.Gateway}}{{"\n"}}{{end}}' | head -1
