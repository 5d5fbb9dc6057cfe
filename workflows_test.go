package main

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

var (
	shaPinned     = regexp.MustCompile(`^[\w.-]+/[\w./-]+@[0-9a-f]{40}$`)
	versionNote   = regexp.MustCompile(`^# v\d+(\.\d+)*`)
	ownActionUses = regexp.MustCompile(`^pat-action/pat-action@v\d+$`)
)

// workflowFiles lists the repository's workflows and the examples users copy.
func workflowFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, pattern := range []string{".github/workflows/*.yml", "examples/workflows/*.yml"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		if len(m) == 0 {
			t.Fatalf("no files match %s", pattern)
		}
		files = append(files, m...)
	}
	return files
}

func parseYAMLFile(t *testing.T, path string) *yaml.Node {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(readFile(t, path)), &doc); err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		t.Fatalf("%s: want a YAML mapping", path)
	}
	return doc.Content[0]
}

// lookup returns the value of key in mapping m, or nil.
func lookup(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// walkUses calls fn for the value of every "uses" key anywhere under n.
func walkUses(n *yaml.Node, fn func(uses *yaml.Node, parent *yaml.Node)) {
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == "uses" {
				fn(n.Content[i+1], n)
			}
		}
	}
	for _, c := range n.Content {
		walkUses(c, fn)
	}
}

func TestWorkflowsPinThirdPartyActions(t *testing.T) {
	for _, path := range workflowFiles(t) {
		example := strings.Contains(path, "examples")
		t.Run(filepath.Base(path), func(t *testing.T) {
			var n int
			walkUses(parseYAMLFile(t, path), func(uses, _ *yaml.Node) {
				n++
				v := uses.Value
				switch {
				case strings.HasPrefix(v, "./"):
				case strings.HasPrefix(v, "docker://"):
					if !digestPinned.MatchString(v) {
						t.Errorf("line %d: %s is not pinned by @sha256 digest", uses.Line, v)
					}
				case example && ownActionUses.MatchString(v):
					// Examples show users the major tag this project moves on release.
				case !shaPinned.MatchString(v):
					t.Errorf("line %d: %s is not pinned by a full commit SHA", uses.Line, v)
				case !versionNote.MatchString(uses.LineComment):
					t.Errorf("line %d: %s has no # vX comment naming its version", uses.Line, v)
				}
			})
			if n == 0 {
				t.Error("no uses: found; the walk is broken")
			}
		})
	}
}

func TestWorkflowsGrantLeastPermissions(t *testing.T) {
	for _, path := range workflowFiles(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			root := parseYAMLFile(t, path)
			perms := lookup(root, "permissions")
			if perms == nil {
				t.Fatal("no top-level permissions: the default may grant write to everything")
			}
			// Write access is granted per job, to the jobs that need it.
			var top map[string]string
			if perms.Kind == yaml.MappingNode {
				if err := perms.Decode(&top); err != nil {
					t.Fatal(err)
				}
			}
			for scope, level := range top {
				if level != "read" && level != "none" {
					t.Errorf("top-level permissions: %s: %s, want read or none; grant write in the job", scope, level)
				}
			}
			if perms.Kind == yaml.ScalarNode {
				t.Errorf("top-level permissions: %q, want a mapping", perms.Value)
			}
		})
	}
}

func TestCIWorkflowTopLevelPermissions(t *testing.T) {
	var got map[string]string
	if err := lookup(parseYAMLFile(t, ".github/workflows/ci.yml"), "permissions").Decode(&got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"contents": "read"}, got); diff != "" {
		t.Errorf("ci.yml permissions (-want +got):\n%s", diff)
	}
}

// TestWorkflowsPassOnlyKnownInputs checks the with: of every step that uses this action,
// which actionlint cannot do for pat-action/pat-action@v1 since it does not fetch actions.
func TestWorkflowsPassOnlyKnownInputs(t *testing.T) {
	inputs := loadAction(t).Inputs
	var steps int
	for _, path := range workflowFiles(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			walkUses(parseYAMLFile(t, path), func(uses, step *yaml.Node) {
				if uses.Value != "./" && !ownActionUses.MatchString(uses.Value) {
					return
				}
				steps++
				with := lookup(step, "with")
				if with == nil {
					t.Errorf("line %d: %s without with:", uses.Line, uses.Value)
					return
				}
				for i := 0; i+1 < len(with.Content); i += 2 {
					if _, ok := inputs[with.Content[i].Value]; !ok {
						t.Errorf("line %d: input %q is not in action.yml", with.Content[i].Line, with.Content[i].Value)
					}
				}
			})
		})
	}
	if steps < 5 {
		t.Errorf("found %d steps using the action, want the self-test and the examples", steps)
	}
}

func TestDependabotCoversEveryEcosystem(t *testing.T) {
	var cfg struct {
		Updates []struct {
			Ecosystem string `yaml:"package-ecosystem"`
		} `yaml:"updates"`
	}
	if err := yaml.Unmarshal([]byte(readRepoFile(t, ".github/dependabot.yml")), &cfg); err != nil {
		t.Fatalf("parse dependabot.yml: %v", err)
	}
	var got []string
	for _, u := range cfg.Updates {
		got = append(got, u.Ecosystem)
	}
	slices.Sort(got)
	if diff := cmp.Diff([]string{"docker", "github-actions", "gomod"}, got); diff != "" {
		t.Errorf("dependabot ecosystems (-want +got):\n%s", diff)
	}
}

// releasePlatforms are the platforms the release publishes: GitHub's x64 and arm runners
// both run container actions.
var releasePlatforms = []string{"linux/amd64", "linux/arm64"}

// imagePlatformProblems lists how a workflow's image builds miss releasePlatforms: every
// docker/build-push-action step must build them all (the CI one without pushing, so an
// arm64 break shows before a release), and none may set up QEMU: the Dockerfile
// cross-compiles, and its runtime stage runs nothing.
func imagePlatformProblems(t *testing.T, src string) []string {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatalf("parse workflow: %v", err)
	}
	var problems []string
	var builds, multi int
	walkUses(doc.Content[0], func(uses, step *yaml.Node) {
		action, _, _ := strings.Cut(uses.Value, "@")
		switch action {
		case "docker/setup-qemu-action":
			problems = append(problems, fmt.Sprintf("line %d: %s: the build cross-compiles, no emulation is needed", uses.Line, action))
		case "docker/build-push-action":
			builds++
			var got []string
			if p := lookup(lookup(step, "with"), "platforms"); p != nil {
				got = strings.FieldsFunc(p.Value, func(r rune) bool { return r == ',' || r == '\n' || r == ' ' })
			}
			slices.Sort(got)
			if slices.Equal(got, releasePlatforms) {
				multi++
			} else if push := lookup(lookup(step, "with"), "push"); push != nil && push.Value == "true" {
				problems = append(problems, fmt.Sprintf("line %d: pushes platforms %q, want %q", uses.Line, got, releasePlatforms))
			}
		}
	})
	if builds > 0 && multi == 0 {
		problems = append(problems, fmt.Sprintf("no docker build for %q", releasePlatforms))
	}
	return problems
}

func TestImagesAreBuiltForEveryPlatform(t *testing.T) {
	for _, path := range []string{".github/workflows/release.yml", ".github/workflows/ci.yml"} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			if diff := cmp.Diff([]string(nil), imagePlatformProblems(t, readRepoFile(t, path))); diff != "" {
				t.Errorf("%s (-want +got):\n%s", path, diff)
			}
		})
	}
}

// TestImagePlatformProblemsCatchBreakage breaks release.yml one way at a time.
func TestImagePlatformProblemsCatchBreakage(t *testing.T) {
	src := readRepoFile(t, ".github/workflows/release.yml")
	tests := []struct {
		name, old, new, want string
	}{
		{"amd64 only", "platforms: linux/amd64,linux/arm64", "platforms: linux/amd64", `pushes platforms ["linux/amd64"]`},
		{"no platforms", "platforms: linux/amd64,linux/arm64", "", "pushes platforms []"},
		{"QEMU", "      - uses: docker/setup-buildx-action@", "      - uses: docker/setup-qemu-action@v3\n      - uses: docker/setup-buildx-action@", "no emulation is needed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(src, tt.old) {
				t.Fatalf("release.yml has no %q to break; update this case", tt.old)
			}
			problems := imagePlatformProblems(t, strings.Replace(src, tt.old, tt.new, 1))
			if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, tt.want) }) {
				t.Errorf("problems = %q, want one containing %q", problems, tt.want)
			}
		})
	}
}

// TestCIWorkflowRunsCIRun holds ci.yml's test job to .ci/run alone, so that CI on GitHub
// and everywhere else cannot drift apart.
func TestCIWorkflowRunsCIRun(t *testing.T) {
	steps := lookup(lookup(lookup(parseYAMLFile(t, ".github/workflows/ci.yml"), "jobs"), "test"), "steps")
	if steps == nil {
		t.Fatal("ci.yml has no test job with steps")
	}
	var runs []string
	for _, step := range steps.Content {
		if run := lookup(step, "run"); run != nil {
			runs = append(runs, strings.TrimSpace(run.Value))
		}
	}
	if len(runs) != 1 || !strings.HasSuffix(runs[0], " .ci/run") {
		t.Errorf("ci.yml's test job runs %q, want one step that runs .ci/run", runs)
	}
}
