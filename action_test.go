package main

import (
	"bytes"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

// The input and output names of the README's contract: the names users rely on.
var (
	interfaceInputs = []string{
		"mode", "token", "admin-token", "api-url", "dry-run",
		"required-scopes", "allowed-scopes", "forbidden-scopes", "min-days-left",
		"require-expiration", "allowed-token-types", "repositories",
		"secret-name", "environment", "organization", "visibility", "secret-type",
		"config", "shard", "force",
	}
	interfaceOutputs = []string{
		"token-type", "login", "scopes", "expires-at", "days-left",
		"missing-scopes", "excess-scopes", "forbidden-scopes", "passed", "secrets-written",
		"deploy-keys-written",
	}
)

// actionMetadata is the part of action.yml that GitHub reads.
type actionMetadata struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	Author      string `yaml:"author"`
	Branding    struct {
		Icon  string `yaml:"icon"`
		Color string `yaml:"color"`
	} `yaml:"branding"`
	Inputs map[string]struct {
		Description string `yaml:"description"`
		Required    bool   `yaml:"required"`
		Default     string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Description string `yaml:"description"`
	} `yaml:"outputs"`
	Runs struct {
		Using string `yaml:"using"`
		Image string `yaml:"image"`
	} `yaml:"runs"`
}

// decodeAction decodes action metadata strictly: a misspelt key such as "defualt" fails.
func decodeAction(t *testing.T, src string) actionMetadata {
	t.Helper()
	dec := yaml.NewDecoder(strings.NewReader(src))
	dec.KnownFields(true)
	var a actionMetadata
	if err := dec.Decode(&a); err != nil {
		t.Fatalf("decode action.yml: %v", err)
	}
	return a
}

func loadAction(t *testing.T) actionMetadata {
	t.Helper()
	return decodeAction(t, readRepoFile(t, "action.yml"))
}

func TestActionMetadata(t *testing.T) {
	a := loadAction(t)
	brandingColors := []string{"white", "black", "yellow", "blue", "green", "orange", "red", "purple", "gray-dark"}
	tests := []struct {
		name string
		ok   bool
	}{
		{"name is set", a.Name != ""},
		{"description is set", a.Description != ""},
		{"author is set", a.Author != ""},
		{"branding icon is set", a.Branding.Icon != ""}, // actionlint checks it is a known icon
		{"branding color is one GitHub offers", slices.Contains(brandingColors, a.Branding.Color)},
		{"runs.using is docker", a.Runs.Using == "docker"},
		{"runs.image is the Dockerfile", a.Runs.Image == "Dockerfile"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.ok {
				t.Errorf("action.yml: want %s", tt.name)
			}
		})
	}
}

func TestActionHasInterfaceInputsAndOutputs(t *testing.T) {
	a := loadAction(t)
	for _, name := range interfaceInputs {
		t.Run("input "+name, func(t *testing.T) {
			if _, ok := a.Inputs[name]; !ok {
				t.Errorf("action.yml has no input %q", name)
			}
		})
	}
	for _, name := range interfaceOutputs {
		t.Run("output "+name, func(t *testing.T) {
			if _, ok := a.Outputs[name]; !ok {
				t.Errorf("action.yml has no output %q", name)
			}
		})
	}
}

func TestActionInputsAndOutputsAreDescribed(t *testing.T) {
	a := loadAction(t)
	for name, in := range a.Inputs {
		if strings.TrimSpace(in.Description) == "" {
			t.Errorf("input %q has no description", name)
		}
		// One action serves every mode; an input only some modes need cannot be required.
		if in.Required {
			t.Errorf("input %q is required; the app reports a missing value per mode", name)
		}
	}
	for name, out := range a.Outputs {
		if strings.TrimSpace(out.Description) == "" {
			t.Errorf("output %q has no description", name)
		}
	}
}

func TestActionInputDefaults(t *testing.T) {
	want := map[string]string{
		"mode":                     "check",
		"token":                    "${{ github.token }}",
		"admin-token":              "", // the app falls back to token
		"api-url":                  "${{ github.api_url }}",
		"dry-run":                  "false",
		"required-scopes":          "",
		"allowed-scopes":           "", // the app falls back to required-scopes
		"forbidden-scopes":         "",
		"min-days-left":            "7",
		"max-lifetime-days":        "", // no limit
		"repositories-file":        "",
		"require-expiration":       "false",
		"allowed-token-types":      "",
		"repositories":             "", // store: the app falls back to $GITHUB_REPOSITORY
		"secret-name":              "",
		"environment":              "",
		"create-environment":       "false",
		"organization":             "",
		"visibility":               "", // the app picks selected or private
		"secret-type":              "actions",
		"config":                   ".github/pat-rotation.yml",
		"shard":                    "1/1",
		"state-repository":         "", // the app falls back to $GITHUB_REPOSITORY
		"state-key":                "", // the state is unsigned
		"force":                    "false",
		"max-age":                  "", // the plan's max-age
		"concurrency":              "", // 20, or 100/n with shard i/n
		"pacing":                   "auto",
		"update-repositories-only": "false",
		"previous-token":           "",
		"app-id":                   "",
		"client-id":                "",
		"private-key":              "",
		"forbidden-permissions":    "",
		"max-idle-days":            "",
		"enforce":                  "report",
		"max-revocations":          "20",
	}
	got := map[string]string{}
	for name, in := range loadAction(t).Inputs {
		got[name] = in.Default
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("action.yml input defaults (-want +got):\n%s", diff)
	}
}

// readmeRow is one row of README's "## Action inputs and outputs" table.
type readmeRow struct {
	kind, name, def string
}

var literalCell = regexp.MustCompile("^`([^`]*)`$")

// readmeActionTable parses the table under the README heading "## Action inputs and outputs":
// | name | kind | default | meaning |.
func readmeActionTable(t *testing.T, readme string) []readmeRow {
	t.Helper()
	_, section, ok := strings.Cut(readme, "\n## Action inputs and outputs\n")
	if !ok {
		t.Fatal(`README.md has no "## Action inputs and outputs" section`)
	}
	if next := strings.Index(section, "\n## "); next >= 0 {
		section = section[:next]
	}
	var rows []readmeRow
	var seenHeader bool
	for line := range strings.Lines(section) {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "|") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if len(cells) != 4 {
			t.Fatalf("README action table: row %q has %d cells, want 4", line, len(cells))
		}
		if !seenHeader {
			if diff := cmp.Diff([]string{"name", "kind", "default", "meaning"}, cells); diff != "" {
				t.Fatalf("README action table header (-want +got):\n%s", diff)
			}
			seenHeader = true
			continue
		}
		if strings.Trim(cells[0], "-: ") == "" {
			continue // the |---| separator
		}
		m := literalCell.FindStringSubmatch(cells[0])
		if m == nil {
			t.Fatalf("README action table: name cell %q is not `name`", cells[0])
		}
		rows = append(rows, readmeRow{kind: cells[1], name: m[1], def: cells[2]})
	}
	return rows
}

func TestReadmeListsExactlyTheActionInputsAndOutputs(t *testing.T) {
	a := loadAction(t)
	rows := readmeActionTable(t, readRepoFile(t, "README.md"))

	var want, got []string
	for name := range a.Inputs {
		want = append(want, "input "+name)
	}
	for name := range a.Outputs {
		want = append(want, "output "+name)
	}
	for _, r := range rows {
		got = append(got, r.kind+" "+r.name)
	}
	slices.Sort(want)
	slices.Sort(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("README action table vs action.yml (-want +got):\n%s", diff)
	}

	// A default action.yml sets must be shown as that literal; one the app computes may be
	// described in words.
	for _, r := range rows {
		if r.kind != "input" {
			continue
		}
		in, ok := a.Inputs[r.name]
		if !ok || in.Default == "" {
			continue
		}
		if m := literalCell.FindStringSubmatch(r.def); m == nil || m[1] != in.Default {
			t.Errorf("README: input %q default %q, want `%s` as in action.yml", r.name, r.def, in.Default)
		}
	}
}

func TestPinActionImage(t *testing.T) {
	src := readRepoFile(t, "action.yml")
	ref := "ghcr.io/pat-action/pat-action@sha256:" + strings.Repeat("0123456789abcdef", 4)
	tests := []struct {
		name      string
		ref       string
		wantCode  int
		wantImage string
	}{
		{"digest", ref, 0, "docker://" + ref},
		{"docker scheme given", "docker://" + ref, 0, "docker://" + ref},
		{"tag only", "ghcr.io/pat-action/pat-action:v1", 2, "Dockerfile"},
		{"short digest", "ghcr.io/pat-action/pat-action@sha256:abc", 2, "Dockerfile"},
		{"upper case", "ghcr.io/Pat-Action/pat-action@sha256:" + strings.Repeat("0123456789abcdef", 4), 2, "Dockerfile"},
		{"sed metacharacters", "ghcr.io/acme/pat|action@sha256:" + strings.Repeat("0123456789abcdef", 4), 2, "Dockerfile"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeTemp(t, "action.yml", src)
			var stderr bytes.Buffer
			code := runScript(t, &stderr, "scripts/pin-action-image.sh", path, tt.ref)
			if code != tt.wantCode {
				t.Fatalf("exit code %d, want %d; stderr:\n%s", code, tt.wantCode, &stderr)
			}
			before, after := loadAction(t), decodeAction(t, readFile(t, path))
			if after.Runs.Image != tt.wantImage {
				t.Errorf("runs.image = %q, want %q", after.Runs.Image, tt.wantImage)
			}
			// Nothing but runs.image may change.
			after.Runs.Image = before.Runs.Image
			if diff := cmp.Diff(before, after); diff != "" {
				t.Errorf("pin-action-image changed more than runs.image (-want +got):\n%s", diff)
			}
		})
	}
}
