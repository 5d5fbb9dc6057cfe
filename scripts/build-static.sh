#!/usr/bin/env bash
# build-static.sh OUTPUT: builds pat-action as the Dockerfile's build stage does (same
# environment and flags), so the binary a test runs is the binary the image ships.
# VERSION (default: git describe, else dev) is stamped into app.Version.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 OUTPUT" >&2
  exit 2
fi
out=$1
case $out in
  /*) ;;
  *) out="$PWD/$out" ;;
esac

root="$(cd "$(dirname "$0")/.." && pwd)"
VERSION=${VERSION:-$(git -C "$root" describe --tags --always --dirty 2>/dev/null || echo dev)}

mkdir -p "$(dirname "$out")"
cd "$root"
# Keep in step with the Dockerfile; dockerfile_test.go checks that they agree.
CGO_ENABLED=0 go build -trimpath -buildvcs=false \
  -ldflags "-s -w -X github.com/pat-action/pat-action/app.Version=${VERSION}" \
  -o "$out" .
echo "built $out (version $VERSION)" >&2
