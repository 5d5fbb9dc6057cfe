package app

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"github.com/pat-action/pat-action/plan"
)

// The demo runs the whole product against the emulator, rotation and audit
// included, verifies what the emulator holds after each step, and prints
// no token, key or generated value.
func TestDemo(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		env  map[string]string
	}{
		{"cli", []string{"demo"}, map[string]string{}},
		{"action", nil, map[string]string{"GITHUB_ACTIONS": "true", "INPUT_MODE": "demo", "GITHUB_REPOSITORY": "someone/else"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := run(t, tt.args, tt.env, "")
			if res.code != 0 {
				t.Fatalf("exit %d; stdout:\n%s", res.code, res.stdout)
			}
			// The summary counts the cases the demo ran: one verdict line each.
			verdicts := regexp.MustCompile(`(?m)^exit \d+ \(as expected\)$`).FindAllString(res.stdout, -1)
			if len(verdicts) < 10 {
				t.Errorf("%d cases behaved as expected, want the demo's checks, stores, rotations and audits", len(verdicts))
			}
			for _, want := range []string{
				fmt.Sprintf("demo: all %d cases behaved as expected", len(verdicts)),
				"diverged WEBHOOK_SECRET: repo:acme/web", "one new WEBHOOK_SECRET value again",
				"would-revoke",
				"31 days later", "deleted      pat-action INFRA_DEPLOY_KEY",
				"(3 minted)", "stale        LEGACY_TOKEN repo:acme/ops",
			} {
				if !strings.Contains(res.stdout, want) {
					t.Errorf("stdout does not say %q", want)
				}
			}
			for _, bad := range []string{"WRONG", "UNEXPECTED", "MISSING"} {
				if strings.Contains(res.stdout, bad) {
					t.Errorf("stdout says %s:\n%s", bad, res.stdout)
				}
			}
			values := regexp.MustCompile(`gh[pso]_[0-9A-Za-z]{16,}|github_pat_[0-9A-Za-z_]{16,}|PRIVATE KEY-----|[0-9a-f]{64}`)
			if m := values.FindAllStringIndex(res.stdout+res.stderr, -1); len(m) > 0 {
				t.Errorf("the output holds %d things shaped like values", len(m))
			}
		})
	}
}

// The plan the demo prints is one a user can copy: it passes the published
// schema as well as the parser.
func TestDemoPlanSchema(t *testing.T) {
	f, err := os.Open("../plan/plan.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource("plan.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("plan.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := yaml.Unmarshal([]byte(demoPlan), &v); err != nil {
		t.Fatal(err)
	}
	j, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Errorf("the demo plan does not pass the schema: %v", err)
	}
	if _, err := plan.Parse("demo.yml", []byte(demoPlan), plan.Options{}); err != nil {
		t.Errorf("the demo plan does not parse: %v", err)
	}
}
