package plan

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

// The JSON Schema plan.schema.json describes the plan for editors: a plan
// that starts with
//
//	# yaml-language-server: $schema=https://raw.githubusercontent.com/pat-action/pat-action/v1/plan/plan.schema.json
//
// gets completion and checking in any editor that runs the YAML language
// server. These tests keep the schema and Parse in step: every example
// plan passes both, and plans that Parse rejects for their shape the
// schema rejects too.

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open("plan.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatalf("plan.schema.json: %v", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource("plan.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("plan.schema.json")
	if err != nil {
		t.Fatalf("compile plan.schema.json: %v", err)
	}
	return sch
}

// yamlToJSON turns a YAML plan into the JSON value the schema validates.
func yamlToJSON(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		t.Fatalf("yaml: %v", err)
	}
	j, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("json: %v", err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

func TestExamplePlans(t *testing.T) {
	sch := compileSchema(t)
	files, err := filepath.Glob("../examples/plans/*.yml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 4 {
		t.Fatalf("found %d example plans, want at least 4", len(files))
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(data, []byte("# yaml-language-server: $schema=")) {
				t.Error("the example does not name its schema on its first line")
			}
			if err := sch.Validate(yamlToJSON(t, data)); err != nil {
				t.Errorf("schema: %v", err)
			}
			if _, err := Parse(file, data, Options{}); err != nil {
				t.Errorf("Parse: %v", err)
			}
		})
	}
}

// TestSchemaRejects checks plans that both the schema and Parse refuse.
func TestSchemaRejects(t *testing.T) {
	sch := compileSchema(t)
	good := "  - name: A\n    source: {type: random}\n    targets: [{repository: acme/a}]\n"
	tests := []struct {
		name, plan string
		// want is a part of the schema error that names the problem.
		want string
	}{
		{"unknown key", head + "  - name: A\n    source: {type: random}\n    targets: [{repo: acme/a}]\n", "repo"},
		{"version 2", "version: 2\nsecrets:\n" + good, "/version"},
		{"both repository and organization", head + "  - name: A\n    source: {type: random}\n    targets: [{repository: acme/a, organization: acme}]\n", "/secrets/0/targets/0"},
		{"key of another source type", head + "  - name: A\n    source: {type: token, env: A, bytes: 3}\n    targets: [{repository: acme/a}]\n", "/secrets/0/source"},
		{"token with neither env nor input", head + "  - name: A\n    source: {type: token}\n    targets: [{repository: acme/a}]\n", "/secrets/0/source"},
		{"token with both env and input", head + "  - name: A\n    source: {type: token, env: A, input: token}\n    targets: [{repository: acme/a}]\n", "/secrets/0/source"},
		{"token input other than token", head + "  - name: A\n    source: {type: token, input: admin-token}\n    targets: [{repository: acme/a}]\n", "/secrets/0/source"},
		{"bad duration", head + "  - name: A\n    source: {type: random}\n    max-age: 0d\n    targets: [{repository: acme/a}]\n", "/secrets/0/max-age"},
		{"unitless duration", head + "  - name: A\n    source: {type: random}\n    max-age: \"90\"\n    targets: [{repository: acme/a}]\n", "/secrets/0/max-age"},
		{"GITHUB_ name", head + "  - name: GitHub_X\n    source: {type: random}\n    targets: [{repository: acme/a}]\n", "/secrets/0/name"},
		{"selected without repositories", head + "  - name: A\n    source: {type: random}\n    targets: [{organization: acme, visibility: selected}]\n", "/secrets/0/targets/0"},
		{"match with visibility", head + "  - name: A\n    source: {type: random}\n    targets: [{organization: acme, match: x, visibility: all}]\n", "/secrets/0/targets/0"},
		{"empty targets", head + "  - name: A\n    source: {type: random}\n    targets: []\n", "/secrets/0/targets"},
		{"bytes out of range", head + "  - name: A\n    source: {type: random, bytes: 0}\n    targets: [{repository: acme/a}]\n", "/secrets/0/source"},
		{"github-app with both keys", head + "  - name: A\n    source: {type: github-app, app-id: 1, installation: acme, private-key-env: K, private-key-file: k.pem}\n    targets: [{repository: acme/a}]\n", "/secrets/0/source"},
		{"environment ..", head + "  - name: A\n    source: {type: random}\n    targets: [{repository: acme/a, environment: \"..\"}]\n", "/secrets/0/targets/0"},
		{"environment that walks up", head + "  - name: A\n    source: {type: random}\n    targets: [{repository: acme/a, environment: \"prod/../x\"}]\n", "/secrets/0/targets/0"},
		{"environment with a newline", head + "  - name: A\n    source: {type: random}\n    targets: [{repository: acme/a, environment: \"pro\\nd\"}]\n", "/secrets/0/targets/0"},
		{"unknown secret type", head + "  - name: A\n    source: {type: random}\n    targets: [{repository: acme/a, type: copilot}]\n", "/secrets/0/targets/0"},
		{"agents environment", head + "  - name: A\n    source: {type: random}\n    targets: [{repository: acme/a, environment: prod, type: agents}]\n", "/secrets/0/targets/0"},
		{"create-environment without environment", head + "  - name: A\n    source: {type: random}\n    targets: [{repository: acme/a, create-environment: true}]\n", "/secrets/0/targets/0"},
		{"create-environment on an organization", head + "  - name: A\n    source: {type: random}\n    targets: [{organization: acme, create-environment: true}]\n", "/secrets/0/targets/0"},
		{"github-app with app-id and client-id", head + "  - name: A\n    source: {type: github-app, app-id: 1, client-id: Iv23li0, installation: acme, private-key-env: K}\n    targets: [{repository: acme/a}]\n", "/secrets/0/source"},
		{"github-app input: app with a client-id", head + "  - name: A\n    source: {type: github-app, input: app, client-id: Iv23li0, installation: acme}\n    targets: [{repository: acme/a}]\n", "/secrets/0/source"},
		{"github-app input: app with a private key", head + "  - name: A\n    source: {type: github-app, input: app, private-key-file: k.pem, installation: acme}\n    targets: [{repository: acme/a}]\n", "/secrets/0/source"},
		{"github-app input: token", head + "  - name: A\n    source: {type: github-app, input: token, installation: acme}\n    targets: [{repository: acme/a}]\n", "/secrets/0/source"},
		{"github-app naming no app", head + "  - name: A\n    source: {type: github-app, installation: acme, private-key-env: K}\n    targets: [{repository: acme/a}]\n", "/secrets/0/source"},
		{"negative min-days-left", "version: 1\ndefaults: {policy: {min-days-left: -1}}\nsecrets:\n" + good, "/defaults/policy/min-days-left"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Parse("p.yml", []byte(tt.plan), Options{}); err == nil {
				t.Error("Parse accepted the plan")
			}
			err := sch.Validate(yamlToJSON(t, []byte(tt.plan)))
			if err == nil {
				t.Fatal("the schema accepted the plan")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("schema error does not mention %q:\n%v", tt.want, err)
			}
		})
	}
}

// TestSchemaKeys checks that the schema names exactly the keys Parse
// knows, so that neither can gain a key the other lacks.
func TestSchemaKeys(t *testing.T) {
	data, err := os.ReadFile("plan.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var schema struct {
		Properties map[string]any `json:"properties"`
		Defs       map[string]struct {
			Properties map[string]any `json:"properties"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(data, &schema); err != nil {
		t.Fatal(err)
	}
	keys := func(m map[string]any) []string {
		var out []string
		for k := range m {
			out = append(out, k)
		}
		slices.Sort(out)
		return out
	}
	sorted := func(s ...[]string) []string {
		out := slices.Concat(s...)
		slices.Sort(out)
		return slices.Compact(out)
	}
	defs := func(names ...string) []string {
		var out []string
		for _, n := range names {
			out = append(out, keys(schema.Defs[n].Properties)...)
		}
		return sorted(out)
	}
	tests := []struct {
		name         string
		schema, code []string
	}{
		{"plan", keys(schema.Properties), sorted(planKeys)},
		{"defaults", defs("defaults"), sorted(defaultsKeys)},
		{"secret", defs("secret"), sorted(secretKeys)},
		{"policy", defs("policy"), sorted(policyKeys)},
		{"target", defs("repositoryTarget", "organizationSecretTarget", "organizationReposTarget"), sorted(targetKeys)},
		{"token source", defs("tokenSource"), sorted(sourceKeys[SourceToken])},
		{"github-app source", defs("githubAppSource"), sorted(sourceKeys[SourceGitHubApp])},
		{"deploy-key source", defs("deployKeySource"), sorted(sourceKeys[SourceDeployKey])},
		{"random source", defs("randomSource"), sorted(sourceKeys[SourceRandom])},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.code, tt.schema); diff != "" {
				t.Errorf("keys (-Parse +schema):\n%s", diff)
			}
		})
	}
}
