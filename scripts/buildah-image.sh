#!/usr/bin/env bash
# buildah-image.sh [BINARY] [IMAGE]: builds the action's runtime image without a Docker
# engine: FROM scratch, the static binary at /pat-action and a CA bundle, run as root as
# GitHub requires of Docker actions (see the Dockerfile); it is also run once as 65532.
# It holds what the Dockerfile's distroless stage needs (distroless adds passwd, tzdata and
# /tmp), so its size is the floor for the real image. IMAGE defaults to
# localhost/pat-action:VERSION.
# With BINARY it builds one image, for this machine's architecture. Without, it
# cross-compiles with build-static.sh for each of ARCHES (default: amd64 arm64, what the
# release publishes) and makes IMAGE a manifest list of IMAGE-ARCH images; only this
# machine's architecture can be run, so only its image is run.
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

bah() { buildah --storage-driver "$driver" "$@"; }

case $(uname -m) in
  x86_64) native=amd64 ;;
  aarch64) native=arm64 ;;
  *) native=$(uname -m) ;;
esac

# one ARCH BINARY TAG: commits the image of one architecture as TAG.
one() {
  local arch=$1 bin=$2 tag=$3
  ctr=$(bah from --arch "$arch" scratch)
  bah copy --chmod 0755 "$ctr" "$bin" /pat-action >/dev/null
  bah copy --chmod 0644 "$ctr" "$ca_bundle" /etc/ssl/certs/ca-certificates.crt >/dev/null
  bah config \
    --os linux \
    --arch "$arch" \
    --user 0:0 \
    --entrypoint '["/pat-action"]' \
    --cmd '' \
    --label org.opencontainers.image.title=pat-action \
    --label org.opencontainers.image.version="$version" \
    "$ctr"
  # The image must run, and without privilege: version as 65532 in the working container,
  # chroot isolation (no daemon, no userns).
  if [[ $arch == "$native" ]]; then
    bah run --isolation chroot --user 65532:65532 "$ctr" -- /pat-action version
  fi
  bah commit --quiet --rm "$ctr" "$tag" >/dev/null
  ctr=
  bah images --format '{{.Name}}:{{.Tag}} {{.ID}} {{.Size}}' "$tag"
}

binary=${1:-}
if [[ -n $binary ]]; then
  one "$native" "$binary" "$image"
  exit 0
fi

read -r -a arches <<<"${ARCHES:-amd64 arm64}"
# A list (or a plain image) of that name from an earlier run on this machine: buildah's
# rmi does not remove a manifest list, and manifest create refuses a name in use.
bah manifest rm "$image" >/dev/null 2>&1 || true
bah rmi "$image" >/dev/null 2>&1 || true
if bah inspect --type manifest "$image" >/dev/null 2>&1 || bah inspect --type image "$image" >/dev/null 2>&1; then
  echo "buildah-image: cannot remove the earlier $image" >&2
  exit 1
fi
bah manifest create "$image" >/dev/null
for arch in "${arches[@]}"; do
  GOOS=linux GOARCH=$arch VERSION=$version "$root/scripts/build-static.sh" "$work/pat-action-$arch"
  bah rmi "$image-$arch" >/dev/null 2>&1 || true # not left dangling by the new tag
  one "$arch" "$work/pat-action-$arch" "$image-$arch"
  bah manifest add "$image" "$image-$arch" >/dev/null
done
echo "$image: manifest list of ${arches[*]}"
