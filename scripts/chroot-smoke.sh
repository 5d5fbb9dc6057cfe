#!/usr/bin/env bash
# chroot-smoke.sh BINARY [COMMAND...]: runs each COMMAND (default: version, then demo) of a
# static pat-action in a root holding only the binary and a CA bundle, as uid/gid 65532
# with an empty environment: what the distroless nonroot image gives it, minus the rest.
# A binary that needs a dynamic loader, a shell, /tmp or a writable file system fails here.
# Needs root (chroot). Exits non-zero if any command fails.
set -euo pipefail

if [[ $# -lt 1 ]]; then
  echo "usage: $0 BINARY [COMMAND...]" >&2
  exit 2
fi
binary=$1
shift
commands=("$@")
if [[ ${#commands[@]} -eq 0 ]]; then
  commands=(version demo)
fi
if [[ ! -x $binary ]]; then
  echo "chroot-smoke: $binary is not an executable file" >&2
  exit 2
fi
ca_bundle=${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
if [[ ! -r $ca_bundle ]]; then
  echo "chroot-smoke: no CA bundle at $ca_bundle (apt-get install ca-certificates)" >&2
  exit 2
fi

chroot_bin=$(command -v chroot || echo /usr/sbin/chroot)
timeout_bin=$(command -v timeout)

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
install -D -m 0755 "$binary" "$root/pat-action"
install -D -m 0644 "$ca_bundle" "$root/etc/ssl/certs/ca-certificates.crt"
# Read-only for the nonroot user, as in the image.
chmod 0755 "$root"

failed=0
for cmd in "${commands[@]}"; do
  echo "chroot-smoke: pat-action $cmd" >&2
  # stdin from /dev/null: nothing may wait on a terminal. timeout: a hung demo fails.
  if env -i "$timeout_bin" --kill-after=10 300 "$chroot_bin" --userspec=65532:65532 "$root" /pat-action "$cmd" </dev/null; then
    echo "chroot-smoke: pat-action $cmd: ok" >&2
  else
    code=$?
    echo "chroot-smoke: pat-action $cmd: failed with exit code $code" >&2
    failed=1
  fi
done
exit "$failed"
