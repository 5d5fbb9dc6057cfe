package plan

import (
	"strings"
	"testing"
)

// A plan's variables are checked before any request, each problem named
// with its line and key.
func TestParseVariables(t *testing.T) {
	const head = `version: 1
secrets:
  - name: X
    source: SOURCE
    targets: [{repository: acme/api}]
    variables:
`
	tests := []struct {
		name, source, vars, want string
	}{
		{"a random source has no expiry", "{type: random}", `      - {name: X_EXP, value: expires-at, targets: [{repository: acme/api}]}`, `a random source publishes rotated-at, not "expires-at"`},
		{"an app token publishes nothing", "{type: github-app, app-id: 1, private-key-env: K, installation: acme}", `      - {name: X_AT, value: rotated-at, targets: [{repository: acme/api}]}`, "publishes nothing"},
		{"repository and organization", "{type: random}", `      - {name: X_AT, value: rotated-at, targets: [{repository: acme/api, organization: acme}]}`, "exactly one of repository and organization"},
		{"selected visibility", "{type: random}", `      - {name: X_AT, value: rotated-at, targets: [{organization: acme, visibility: selected}]}`, "want all or private"},
		{"bad name", "{type: random}", `      - {name: GITHUB_AT, value: rotated-at, targets: [{repository: acme/api}]}`, "secrets[0].variables[0].name"},
		{"the state's own name", "{type: random}", `      - {name: pat_action_state_x_1_1, value: rotated-at, targets: [{repository: acme/ops}]}`, "which the rotation state's own variables use"},
		{"a state part's name", "{type: random}", `      - {name: PAT_ACTION_STATEPART_X_1_1_A0, value: rotated-at, targets: [{repository: acme/ops}]}`, "which the rotation state's own variables use"},
		{"unknown key", "{type: random}", `      - {name: X_AT, value: rotated-at, target: [{repository: acme/api}]}`, "target"},
		{"no targets", "{type: random}", `      - {name: X_AT, value: rotated-at, targets: []}`, "empty list"},
		{"an environment that walks the path", "{type: random}", `      - {name: X_AT, value: rotated-at, targets: [{repository: acme/api, environment: ".."}]}`, "secrets[0].variables[0].targets[0].environment"},
		{"an environment with a newline", "{type: random}", `      - {name: X_AT, value: rotated-at, targets: [{repository: acme/api, environment: "prod\nx"}]}`, "secrets[0].variables[0].targets[0].environment"},
		{"an organization that is not a login", "{type: random}", `      - {name: X_AT, value: rotated-at, targets: [{organization: acme/api}]}`, "secrets[0].variables[0].targets[0].organization"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("plan.yml", []byte(strings.Replace(head, "SOURCE", tt.source, 1)+tt.vars+"\n"), Options{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse: %v; want an error saying %q", err, tt.want)
			}
		})
	}
	p, err := Parse("plan.yml", []byte(strings.Replace(head, "SOURCE", "{type: deploy-key, repository: acme/infra}", 1)+
		"      - {name: K_PUB, value: public-key, targets: [{organization: acme}, {repository: acme/api, environment: prod}]}\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	v := p.Secrets[0].Variables[0]
	if v.Name != "K_PUB" || v.Targets[0].String() != "variable:org:acme" || v.Targets[0].Visibility != "private" || v.Targets[1].String() != "variable:env:acme/api/prod" {
		t.Errorf("parsed %+v", v)
	}
}
