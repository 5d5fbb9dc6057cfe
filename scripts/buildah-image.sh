#!/usr/bin/env bash
# buildah-image.sh [BINARY] [IMAGE]: builds the action's runtime image without a Docker
# engine: FROM scratch, the static binary at /pat-action and a CA bundle, run as root as
# GitHub requires of Docker actions (see the Dockerfile); it is also run once as 65532.
# It holds what the Dockerfile's distroless stage needs (distroless adds passwd, tzdata and
# /tmp), so its size is the floor for the real image. Without BINARY it builds one with
# build-static.sh. IMAGE defaults to localhost/pat-action:VERSION.
# Storage is vfs by default (STORAGE_DRIVER=overlay to change) so it works inside containers.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
driver=${STORAGE_DRIVER:-vfs}
version=${VERSION:-$(git -C "$root" describe --tags --always --dirty 2>/dev/null || echo dev)}
image=${2:-localhost/pat-action:$version}
ca_bundle=${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}

if ! command -v buildah >/dev/null; then
  echo "buildah-image: installing buildah" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq buildah >/dev/null ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq buildah >/dev/null; }
fi
if [[ ! -r $ca_bundle ]]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ca-certificates >/dev/null
fi

work=$(mktemp -d)
ctr=
cleanup() {
  if [[ -n $ctr ]]; then buildah --storage-driver "$driver" rm "$ctr" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

binary=${1:-}
if [[ -z $binary ]]; then
  binary="$work/pat-action"
  VERSION=$version "$root/scripts/build-static.sh" "$binary"
fi

bah() { buildah --storage-driver "$driver" "$@"; }

ctr=$(bah from scratch)
bah copy --chmod 0755 "$ctr" "$binary" /pat-action >/dev/null
bah copy --chmod 0644 "$ctr" "$ca_bundle" /etc/ssl/certs/ca-certificates.crt >/dev/null
bah config \
  --user 0:0 \
  --entrypoint '["/pat-action"]' \
  --cmd '' \
  --label org.opencontainers.image.title=pat-action \
  --label org.opencontainers.image.version="$version" \
  "$ctr"

# The image must run, and without privilege: version as 65532 in the working container,
# chroot isolation (no daemon, no userns).
bah run --isolation chroot --user 65532:65532 "$ctr" -- /pat-action version

bah commit --quiet --rm "$ctr" "$image" >/dev/null
ctr=
bah images --format '{{.Name}}:{{.Tag}} {{.ID}} {{.Size}}' "$image"
