package main

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The binary's path in the image and the flags that make it static, small and versioned.
const (
	binaryPath   = "/pat-action"
	versionStamp = "-X github.com/pat-action/pat-action/app.Version=${VERSION}"
)

var (
	digestPinned  = regexp.MustCompile(`@sha256:[0-9a-f]{64}$`)
	distrolessRef = regexp.MustCompile(`^gcr\.io/distroless/static-debian12:nonroot@sha256:[0-9a-f]{64}$`)
)

// instruction is one Dockerfile instruction as docker build reads it.
type instruction struct {
	cmd   string // lower case: from, run, copy, ...
	flags []string
	args  []string
	json  bool // exec form: ["a", "b"]
}

// text is the instruction's arguments joined, whitespace collapsed.
func (in instruction) text() string {
	return strings.Join(strings.Fields(strings.Join(in.args, " ")), " ")
}

func (in instruction) hasFlag(flag string) bool {
	return slices.Contains(in.flags, flag)
}

// stage is one FROM and the instructions under it.
type stage struct {
	base, name string
	flags      []string // the FROM's, such as --platform=$BUILDPLATFORM
	instrs     []instruction
}

// continuation ends a line that goes on in the next one.
var continuation = regexp.MustCompile(`\\[ \t]*$`)

// parseDockerfile reads src as docker build does, for what this Dockerfile uses: comment
// and blank lines, continuation lines (comments inside them dropped), leading --flags and
// the exec form, and splits it into stages. Heredocs and the escape directive are not
// supported; the escape directive is refused rather than misread.
func parseDockerfile(src string) ([]stage, error) {
	var stages []stage
	var logical strings.Builder
	add := func() error {
		line := strings.TrimSpace(logical.String())
		logical.Reset()
		if line == "" {
			return nil
		}
		in, err := parseInstruction(line)
		if err != nil {
			return err
		}
		switch {
		case in.cmd == "from":
			st := stage{flags: in.flags}
			if len(in.args) > 0 {
				st.base = in.args[0]
			}
			if len(in.args) == 3 && strings.EqualFold(in.args[1], "as") {
				st.name = in.args[2]
			}
			stages = append(stages, st)
		case len(stages) > 0: // an ARG before the first FROM belongs to no stage
			stages[len(stages)-1].instrs = append(stages[len(stages)-1].instrs, in)
		}
		return nil
	}
	for i, line := range strings.Split(src, "\n") {
		trimmed := strings.TrimSpace(line)
		if d, ok := strings.CutPrefix(strings.ReplaceAll(trimmed, " ", ""), "#escape="); ok && i == 0 {
			return nil, fmt.Errorf("line %d: escape directive %q is not supported", i+1, d)
		}
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue // inside a continuation too, as docker build does
		}
		if loc := continuation.FindStringIndex(line); loc != nil {
			logical.WriteString(line[:loc[0]])
			continue
		}
		logical.WriteString(line)
		if err := add(); err != nil {
			return nil, fmt.Errorf("line %d: %w", i+1, err)
		}
	}
	return stages, add()
}

// parseInstruction splits one logical line into its command, leading --flags and
// arguments: a JSON array of strings (the exec form) or whitespace-separated words.
func parseInstruction(line string) (instruction, error) {
	cmd, rest := cutWord(line)
	in := instruction{cmd: strings.ToLower(cmd)}
	for strings.HasPrefix(rest, "--") {
		flag, after := cutWord(rest)
		if flag == "--" {
			break
		}
		in.flags = append(in.flags, flag)
		rest = after
	}
	if rest == "" {
		return in, fmt.Errorf("%s has no arguments", strings.ToUpper(in.cmd))
	}
	var exec []string
	if strings.HasPrefix(rest, "[") && json.Unmarshal([]byte(rest), &exec) == nil {
		in.args, in.json = exec, true
		return in, nil
	}
	in.args = strings.Fields(rest) // not JSON: the shell form, as docker build falls back
	return in, nil
}

// cutWord splits s at its first space or tab, trimming both halves.
func cutWord(s string) (word, rest string) {
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		return s[:i], strings.TrimSpace(s[i:])
	}
	return s, ""
}

// goBuildCommand returns the go build command line up to its -o flag, whitespace collapsed.
func goBuildCommand(text string) (string, bool) {
	text = strings.Join(strings.Fields(strings.ReplaceAll(text, "\\\n", " ")), " ")
	start := strings.Index(text, "CGO_ENABLED=0 go build")
	if start < 0 {
		return "", false
	}
	text = text[start:]
	end := strings.Index(text, " -o ")
	if end < 0 {
		return "", false
	}
	return text[:end], true
}

// dockerfileProblems lists every way src breaks the image's promises: a static, trimmed,
// versioned binary built in a stage whose module download is cached apart from the source,
// shipped alone on a digest-pinned distroless static image, with no shell, run as root as
// GitHub requires of Docker actions.
func dockerfileProblems(src string) []string {
	stages, err := parseDockerfile(src)
	if err != nil {
		return []string{fmt.Sprintf("parse: %v", err)}
	}
	if len(stages) < 2 {
		return []string{fmt.Sprintf("want a build stage and a runtime stage, got %d stages", len(stages))}
	}
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	for i, st := range stages {
		if !digestPinned.MatchString(st.base) {
			add("stage %d: FROM %s is not pinned by @sha256 digest", i+1, st.base)
		}
		if p := unqualified(st.base); p != "" {
			add("stage %d: FROM %s %s", i+1, st.base, p)
		}
	}

	build := -1
	for i, st := range stages {
		for _, in := range st.instrs {
			if in.cmd == "run" && strings.Contains(in.text(), "go build") {
				build = i
			}
		}
	}
	if build < 0 {
		add("no stage runs go build")
	} else {
		problems = append(problems, buildStageProblems(stages[build])...)
	}
	if build == len(stages)-1 {
		add("the final stage builds; the binary must be copied into a runtime stage")
	}

	final := stages[len(stages)-1]
	if !distrolessRef.MatchString(final.base) {
		add("final stage: FROM %s, want gcr.io/distroless/static-debian12:nonroot@sha256:...", final.base)
	}
	if slices.ContainsFunc(final.flags, func(f string) bool { return strings.HasPrefix(f, "--platform=") }) {
		add("final stage: FROM %s: the runtime stage must be the target's platform", strings.Join(final.flags, " "))
	}
	var user string
	var copied, entrypoint bool
	for _, in := range final.instrs {
		switch in.cmd {
		case "run", "shell":
			add("final stage: %s %s needs a shell, and the image has none", strings.ToUpper(in.cmd), in.text())
		case "user":
			user = in.text()
		case "copy":
			if build >= 0 && in.hasFlag("--from="+stages[build].name) &&
				len(in.args) == 2 && in.args[0] == binaryPath && in.args[1] == binaryPath {
				copied = true
			}
		case "entrypoint":
			if !in.json || !slices.Equal(in.args, []string{binaryPath}) {
				add("final stage: ENTRYPOINT %s, want exec form [%q]", in.text(), binaryPath)
			}
			entrypoint = true
		}
	}
	// The nonroot base would run the action as 65532, which cannot write the runner's
	// command files: the final stage must say USER 0:0 itself.
	if user != "0:0" && user != "0" && user != "root" {
		add("final stage: USER %q, want USER 0:0: GitHub runs Docker actions as the image's user and requires root", user)
	}
	if !copied {
		add("final stage: no COPY --from=<build stage> %s %s", binaryPath, binaryPath)
	}
	if !entrypoint {
		add("final stage: no ENTRYPOINT")
	}
	return problems
}

// unqualified says why an image reference is not fully qualified (registry, namespace and
// name), or "" when it is: podman and buildah refuse or ask about short names such as
// golang:1.26, which docker alone expands to docker.io/library/golang:1.26.
func unqualified(ref string) string {
	registry, path, ok := strings.Cut(ref, "/")
	switch {
	case !ok || !(strings.ContainsAny(registry, ".:") || registry == "localhost"):
		return "is a short name: want REGISTRY/NAME, such as docker.io/library/golang"
	case registry == "docker.io" && !strings.Contains(path, "/"):
		return "has no namespace: want docker.io/library/NAME for an official image"
	}
	return ""
}

// crossCompiled matches go build's target taken from the platform BuildKit, podman and
// buildah build for.
var crossCompiled = []*regexp.Regexp{
	regexp.MustCompile(`(^| )GOOS=\$\{?TARGETOS\}? `),
	regexp.MustCompile(`(^| )GOARCH=\$\{?TARGETARCH\}? `),
}

// buildStageProblems checks the stage that runs go build: it runs on the builder's own
// platform and cross-compiles for the target's, so no compiler runs under emulation.
func buildStageProblems(st stage) []string {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if !hasAny(st.flags, "--platform=$BUILDPLATFORM", "--platform=${BUILDPLATFORM}") {
		add("build stage: FROM without --platform=$BUILDPLATFORM: the compiler would run emulated for each target")
	}
	copyMods, download, copySource, buildAt := -1, -1, -1, -1
	argAt := map[string]int{}
	for i, in := range st.instrs {
		switch {
		case in.cmd == "copy" && slices.Contains(in.args, "go.mod") && slices.Contains(in.args, "go.sum"):
			copyMods = i
		case in.cmd == "run" && strings.Contains(in.text(), "go mod download"):
			download = i
			if !in.hasFlag("--mount=type=cache,target=/go/pkg/mod") {
				add("go mod download does not use a cache mount at /go/pkg/mod")
			}
		case in.cmd == "copy" && len(in.args) == 2 && in.args[0] == "." && copySource < 0:
			copySource = i
		case in.cmd == "arg":
			for _, a := range in.args {
				name, _, _ := strings.Cut(a, "=")
				argAt[name] = i
			}
		case in.cmd == "run" && strings.Contains(in.text(), "go build"):
			buildAt = i
			text := in.text()
			for _, want := range []string{"CGO_ENABLED=0", "-trimpath", `-ldflags "-s -w`, versionStamp, "-o " + binaryPath} {
				if !strings.Contains(text, want) {
					add("go build does not use %s", want)
				}
			}
			for _, re := range crossCompiled {
				if !re.MatchString(text) {
					add("go build does not set %s", re)
				}
			}
		}
	}
	switch {
	case copyMods < 0:
		add("no COPY go.mod go.sum before the source")
	case download < 0:
		add("no RUN go mod download")
	case copySource < 0:
		add("no COPY . . of the source")
	case !(copyMods < download && download < copySource):
		add("want COPY go.mod go.sum, then RUN go mod download, then COPY . . (got %d, %d, %d)", copyMods, download, copySource)
	}
	for _, name := range []string{"VERSION", "TARGETOS", "TARGETARCH"} {
		// The platform ARGs are global: a stage sees them only once it declares them.
		if at, ok := argAt[name]; !ok || at > buildAt {
			add("no ARG %s before go build", name)
		}
	}
	return problems
}

// hasAny reports whether list holds any of values.
func hasAny(list []string, values ...string) bool {
	return slices.ContainsFunc(list, func(s string) bool { return slices.Contains(values, s) })
}

// TestParseDockerfile holds the small parser to what docker build reads.
func TestParseDockerfile(t *testing.T) {
	tests := []struct {
		name, src string
		want      []stage
		wantErr   string
	}{
		{name: "stages, names and the ARG before the first FROM",
			src: "ARG GO=1\nFROM a.io/b:1 AS build\nUSER 0:0\nfrom c.io/d as run\nCMD x",
			want: []stage{
				{base: "a.io/b:1", name: "build", instrs: []instruction{{cmd: "user", args: []string{"0:0"}}}},
				{base: "c.io/d", name: "run", instrs: []instruction{{cmd: "cmd", args: []string{"x"}}}},
			}},
		{name: "continuations, with comment and blank lines inside them",
			src: "FROM x\nRUN --mount=type=cache,target=/a \\\n  # a comment\n\n\tgo build \\  \n  -o /b",
			want: []stage{{base: "x", instrs: []instruction{
				{cmd: "run", flags: []string{"--mount=type=cache,target=/a"}, args: []string{"go", "build", "-o", "/b"}},
			}}}},
		{name: "flags, with tabs",
			src: "FROM\t--platform=$BUILDPLATFORM x AS b\nCOPY --from=b --chmod=0755 /p /p",
			want: []stage{{base: "x", name: "b", flags: []string{"--platform=$BUILDPLATFORM"}, instrs: []instruction{
				{cmd: "copy", flags: []string{"--from=b", "--chmod=0755"}, args: []string{"/p", "/p"}},
			}}}},
		{name: "exec form, and shell form when the JSON is not valid",
			src: "FROM x\nENTRYPOINT [\"/p\", \"a b\"]\nCMD [\"/p\", a]",
			want: []stage{{base: "x", instrs: []instruction{
				{cmd: "entrypoint", args: []string{"/p", "a b"}, json: true},
				{cmd: "cmd", args: []string{`["/p",`, "a]"}},
			}}}},
		{name: "escape directive", src: "# escape=`\nFROM x", wantErr: "escape directive"},
		{name: "instruction without arguments", src: "FROM x\nUSER\n", wantErr: "line 2: USER has no arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseDockerfile(tt.src)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(stage{}, instruction{})); diff != "" {
				t.Errorf("parse (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDockerfileKeepsItsPromises(t *testing.T) {
	if diff := cmp.Diff([]string(nil), dockerfileProblems(readRepoFile(t, "Dockerfile"))); diff != "" {
		t.Errorf("Dockerfile problems (-want +got):\n%s", diff)
	}
}

// TestDockerfileProblemsCatchBreakage breaks the real Dockerfile one way at a time and
// checks that the breakage is reported, so the test above cannot pass vacuously.
func TestDockerfileProblemsCatchBreakage(t *testing.T) {
	src := readRepoFile(t, "Dockerfile")
	tests := []struct {
		name     string
		old, new string
		want     string
	}{
		{"single stage", "\nFROM gcr.io/distroless/", "\n# FROM gcr.io/distroless/", "want a build stage and a runtime stage"},
		{"unpinned runtime", "static-debian12:nonroot@sha256:", "static-debian12:nonroot-sha256-", "is not pinned by @sha256"},
		{"other runtime", "gcr.io/distroless/static-debian12:nonroot@", "gcr.io/distroless/base-debian12:nonroot@", "want gcr.io/distroless/static-debian12:nonroot"},
		{"non-root user", "USER 0:0", "USER 65532:65532", "want USER 0:0"},
		{"no user (the base's nonroot)", "USER 0:0", "", "want USER 0:0"},
		{"shell entrypoint", `ENTRYPOINT ["/pat-action"]`, "ENTRYPOINT /pat-action", "want exec form"},
		{"shell in runtime", `ENTRYPOINT [`, "RUN true\nENTRYPOINT [", "needs a shell"},
		{"cgo", "CGO_ENABLED=0 ", "", "CGO_ENABLED=0"},
		{"no trimpath", "-trimpath ", "", "-trimpath"},
		{"not stripped", `"-s -w -X`, `"-X`, `-ldflags "-s -w`},
		{"no version", "app.Version=${VERSION}", "app.Name=${VERSION}", versionStamp},
		{"download uncached", "RUN --mount=type=cache,target=/go/pkg/mod go mod download", "RUN go mod download", "cache mount"},
		{"download after source", "RUN --mount=type=cache,target=/go/pkg/mod go mod download\nCOPY . .", "COPY . .\nRUN --mount=type=cache,target=/go/pkg/mod go mod download", "then RUN go mod download, then COPY . ."},
		{"no module layer", "COPY go.mod go.sum ./", "", "no COPY go.mod go.sum"},
		{"binary not copied", "COPY --from=build /pat-action /pat-action", "", "no COPY --from=<build stage>"},
		{"short name", "docker.io/library/golang:", "golang:", "is a short name"},
		{"docker.io without namespace", "docker.io/library/golang:", "docker.io/golang:", "has no namespace"},
		{"build stage emulated", "FROM --platform=$BUILDPLATFORM ", "FROM ", "without --platform=$BUILDPLATFORM"},
		{"runtime on the build platform", "\nFROM gcr.io/", "\nFROM --platform=$BUILDPLATFORM gcr.io/", "must be the target's platform"},
		{"no GOOS", "GOOS=$TARGETOS ", "", "GOOS="},
		{"no GOARCH", "GOARCH=$TARGETARCH ", "GOARCH=amd64 ", "GOARCH="},
		{"TARGETARCH not declared", "ARG TARGETARCH\n", "", "no ARG TARGETARCH"},
		{"TARGETOS not declared", "ARG TARGETOS\n", "", "no ARG TARGETOS"},
		{"no ARG VERSION", "ARG VERSION=dev\n", "", "no ARG VERSION"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(src, tt.old) {
				t.Fatalf("Dockerfile has no %q to break; update this case", tt.old)
			}
			problems := dockerfileProblems(strings.Replace(src, tt.old, tt.new, 1))
			if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, tt.want) }) {
				t.Errorf("problems = %q, want one containing %q", problems, tt.want)
			}
		})
	}
}

// TestBuildScriptMatchesDockerfile holds scripts/build-static.sh to the Dockerfile's build
// command, so the binary smoke-tested outside Docker is the one the image ships.
func TestBuildScriptMatchesDockerfile(t *testing.T) {
	stages, err := parseDockerfile(readRepoFile(t, "Dockerfile"))
	if err != nil {
		t.Fatalf("parse Dockerfile: %v", err)
	}
	var want string
	for _, st := range stages {
		for _, in := range st.instrs {
			if cmd, ok := goBuildCommand(in.text()); ok && in.cmd == "run" {
				want = cmd
			}
		}
	}
	if want == "" {
		t.Fatal("Dockerfile has no CGO_ENABLED=0 go build ... -o command")
	}
	got, ok := goBuildCommand(readRepoFile(t, "scripts/build-static.sh"))
	if !ok {
		t.Fatal("scripts/build-static.sh has no CGO_ENABLED=0 go build ... -o command")
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("build-static.sh's go build differs from the Dockerfile's (-want +got):\n%s", diff)
	}
}
