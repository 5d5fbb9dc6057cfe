#!/usr/bin/env bash
# pin-action-image.sh ACTION_YML IMAGE@sha256:DIGEST: rewrites the action's runs.image from
# the Dockerfile to the published image, by digest, so a release runs the exact image that
# was built, scanned and attested instead of building the Dockerfile on every job.
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 ACTION_YML IMAGE@sha256:DIGEST" >&2
  exit 2
fi
file=$1
ref=${2#docker://}
if [[ ! $ref =~ ^[a-z0-9][a-z0-9./_:-]*@sha256:[0-9a-f]{64}$ ]]; then
  echo "pin-action-image: $ref: want a lower-case image name pinned by @sha256:<64 hex digits>" >&2
  exit 2
fi
if [[ $(grep -c '^  image: Dockerfile$' "$file") -ne 1 ]]; then
  echo "pin-action-image: $file: want exactly one '  image: Dockerfile' line under runs" >&2
  exit 1
fi
sed -i "s|^  image: Dockerfile\$|  image: docker://${ref}|" "$file"
grep -q "^  image: docker://${ref}\$" "$file"
