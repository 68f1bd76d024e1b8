#!/bin/bash
# deploy/podman/chroot-as-root.sh COMMAND...: runs COMMAND, in the current
# directory, with this chroot as the root of a mount namespace of its own, as
# a machine's root is. Only for a chroot such as /work/shared/tools/fresh-debian's
# (deploy/README.md, "On a fresh machine"); a real machine or VM needs none of it.
#
# Why: runc starts a container with pivot_root, which makes the container's
# root the root of its mount namespace only if the caller's root is. From a
# chroot it is not, and `podman exec` (and so every health check and the
# demo flow's CLI calls) then joined the container with the host's
# filesystem as its root ("stat /usr/local/bin/telederm-healthcheck: no such
# file or directory"). Podman also needs / to be a mount point to unpack images.
set -euo pipefail
self=$(readlink -f "$0")
stage=${1:-}
case "$stage" in
  --in-namespace)  # in a new mount namespace, still in the chroot
    marker=$2 dir=$3; shift 3
    mkdir -p /tmp/rootmount /tmp/leave-chroot
    mount --rbind / /tmp/rootmount
    touch "/tmp/rootmount/$marker"
    # Leave the chroot for the namespace's root: chroot deeper, climb past it.
    exec perl -e 'chroot("/tmp/leave-chroot") or die "chroot: $!\n"; chdir("..") for 1 .. 256;
                  chroot(".") or die "chroot .: $!\n"; chdir("/"); exec(@ARGV) or die "exec: $!\n";' \
      /bin/bash -c 'for m in /var/tmp/*/tmp/rootmount/"$1" /tmp/*/tmp/rootmount/"$1" /tmp/rootmount/"$1"; do
                      [ -e "$m" ] && exec /bin/bash "${m%/*}$2" --at-namespace-root "${m%/*}" "$1" "$3" "${@:4}"; done
                    echo "chroot-as-root: the chroot is not under /var/tmp or /tmp" >&2; exit 1' \
      find "$marker" "$self" "$dir" "$@"
    ;;
  --at-namespace-root)  # at the namespace's real root, outside the chroot
    root=$2 marker=$3 dir=$4; shift 4
    rm "$root/$marker"
    mount --make-rprivate /
    cd "$root"
    mkdir -p .old-root
    pivot_root . .old-root
    exec /usr/sbin/chroot . /bin/bash -c 'umount -l /.old-root && rmdir /.old-root && cd "$1" && shift && exec "$@"' chroot-as-root "$dir" "$@"
    ;;
  *)
    [ $# -gt 0 ] || { echo "usage: deploy/podman/chroot-as-root.sh COMMAND..." >&2; exit 2; }
    exec unshare -m --propagation unchanged /bin/bash "$self" --in-namespace ".chroot-as-root-$$" "$PWD" "$@"
    ;;
esac
