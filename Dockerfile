# The pat-action container action: one static binary on distroless static, no shell.
# Base images are fully qualified, so podman and buildah build it as docker does, and pinned
# by manifest-list digest (the tag says what it is, the digest which one); Dependabot's
# docker ecosystem keeps the digests fresh.
# The build stage runs on the builder's own platform and cross-compiles for the target's
# (the release publishes linux/amd64 and linux/arm64), so no stage runs under emulation.
# scripts/build-static.sh builds the same binary with the same flags outside Docker.

FROM --platform=$BUILDPLATFORM docker.io/library/golang:1.26-bookworm@sha256:a688600ca24f8a4d3ca77f95b0dd40704a9fc787c826660eb7ba0b641b8b175d AS build
WORKDIR /src
# Modules first, in their own layer, so a source change does not download them again.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG VERSION=dev
ARG TARGETOS
ARG TARGETARCH
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    GOOS=$TARGETOS GOARCH=$TARGETARCH CGO_ENABLED=0 go build -trimpath -buildvcs=false \
      -ldflags "-s -w -X github.com/pat-action/pat-action/app.Version=${VERSION}" \
      -o /pat-action .

FROM gcr.io/distroless/static-debian12:nonroot@sha256:d093aa3e30dbadd3efe1310db061a14da60299baff8450a17fe0ccc514a16639
COPY --from=build /pat-action /pat-action
# GitHub runs Docker actions as the image's user and requires root: the runner's
# GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and workspace files belong to its own user, and a
# non-root uid cannot write them (docs: "Dockerfile support for GitHub Actions", USER).
# The binary itself needs no privilege: CI runs it as uid 65532 in an empty root.
USER 0:0
ENTRYPOINT ["/pat-action"]
