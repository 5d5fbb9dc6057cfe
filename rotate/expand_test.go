package rotate

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pat-action/pat-action/plan"
	"github.com/pat-action/pat-action/secrets"
)

func TestExpand(t *testing.T) {
	acme := []Repo{
		{Owner: "acme", Name: "svc-web", Topics: []string{"deploy", "go"}, ID: 3},
		{Owner: "acme", Name: "svc-api", Topics: []string{"Deploy"}, ID: 2},
		{Owner: "acme", Name: "svc-old", Topics: []string{"deploy"}, Archived: true, ID: 4},
		{Owner: "acme", Name: "svc-legacy", Topics: []string{"deploy"}, ID: 5},
		{Owner: "acme", Name: "svc-notopic", ID: 6},
		{Owner: "acme", Name: "web", Topics: []string{"deploy"}, ID: 7},
		{Owner: "other", Name: "svc-x", Topics: []string{"deploy"}, ID: 8},
	}
	repo := func(name string, id int64, kind secrets.Kind) Target {
		return Target{Target: secrets.Target{Kind: kind, Scope: secrets.RepoScope, Owner: "acme", Repo: name}, RepoID: id, Line: 9}
	}
	tests := []struct {
		name string
		spec plan.TargetSpec
		want []Target
	}{
		{
			name: "repository ignores the listing",
			spec: plan.TargetSpec{Repository: "acme/api", Type: secrets.Dependabot, Line: 9},
			want: []Target{{Target: secrets.Target{Kind: secrets.Dependabot, Scope: secrets.RepoScope, Owner: "acme", Repo: "api"}, Line: 9}},
		},
		{
			name: "environment",
			spec: plan.TargetSpec{Repository: "acme/web", Environment: "production", Line: 9},
			want: []Target{{Target: secrets.Target{Kind: secrets.Actions, Scope: secrets.EnvScope, Owner: "acme", Repo: "web", Environment: "production"}, Line: 9}},
		},
		{
			name: "organization secret defaults to selected with repositories",
			spec: plan.TargetSpec{Organization: "acme", Repositories: []string{"acme/api"}, Line: 9},
			want: []Target{{Target: secrets.Target{Kind: secrets.Actions, Scope: secrets.OrgScope, Org: "acme",
				Visibility: "selected", SelectedRepos: []string{"acme/api"}}, Line: 9}},
		},
		{
			name: "organization secret defaults to private",
			spec: plan.TargetSpec{Organization: "acme", Line: 9},
			want: []Target{{Target: secrets.Target{Kind: secrets.Actions, Scope: secrets.OrgScope, Org: "acme", Visibility: "private"}, Line: 9}},
		},
		{
			name: "match, topic and exclude; archived and other owners skipped; sorted",
			spec: plan.TargetSpec{Organization: "acme", Match: "^svc-", Topic: "deploy", Exclude: []string{"ACME/svc-legacy"}, Line: 9},
			want: []Target{repo("svc-api", 2, secrets.Actions), repo("svc-web", 3, secrets.Actions)},
		},
		{
			name: "match alone",
			spec: plan.TargetSpec{Organization: "ACME", Match: "^svc-(api|notopic)$", Type: secrets.Dependabot, Line: 9},
			want: []Target{repo("svc-api", 2, secrets.Dependabot), repo("svc-notopic", 6, secrets.Dependabot)},
		},
		{
			name: "topic alone",
			spec: plan.TargetSpec{Organization: "acme", Topic: "deploy", Line: 9},
			want: []Target{repo("svc-api", 2, secrets.Actions), repo("svc-legacy", 5, secrets.Actions),
				repo("svc-web", 3, secrets.Actions), repo("web", 7, secrets.Actions)},
		},
		{
			name: "match is unanchored",
			spec: plan.TargetSpec{Organization: "acme", Match: "eb", Line: 9},
			want: []Target{repo("svc-web", 3, secrets.Actions), repo("web", 7, secrets.Actions)},
		},
		{
			name: "nothing selected",
			spec: plan.TargetSpec{Organization: "acme", Topic: "none", Line: 9},
			want: nil,
		},
		{
			name: "invalid hand-built match selects nothing",
			spec: plan.TargetSpec{Organization: "acme", Match: "(", Line: 9},
			want: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Expand(tt.spec, acme)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Expand (-want +got):\n%s", diff)
			}
		})
	}
}

func TestExpandParsedMatch(t *testing.T) {
	p, err := parsePlan("p.yml", []byte(`version: 1
secrets:
  - name: X
    source: {type: token, env: X}
    targets:
      - {organization: acme, match: "^svc-"}
`))
	if err != nil {
		t.Fatal(err)
	}
	got := targetNames(Expand(p.Secrets[0].Targets[0], []Repo{{Owner: "acme", Name: "svc-a"}, {Owner: "acme", Name: "a-svc-b"}}))
	if diff := cmp.Diff([]string{"repo:acme/svc-a"}, got); diff != "" {
		t.Errorf("Expand (-want +got):\n%s", diff)
	}
}

func TestExpandAll(t *testing.T) {
	specs := []plan.TargetSpec{
		{Repository: "acme/svc-b"},
		{Organization: "acme", Match: "^svc-"},
		{Repository: "ACME/svc-a"},
		{Organization: "beta", Topic: "deploy"},
		{Organization: "acme", Match: "^svc-", Type: secrets.Dependabot},
		{Organization: "acme"},
	}
	repos := map[string][]Repo{
		"acme": {{Owner: "acme", Name: "svc-a"}, {Owner: "acme", Name: "svc-b"}, {Owner: "acme", Name: "web"}},
		"beta": {{Owner: "beta", Name: "x", Topics: []string{"deploy"}}},
	}
	want := []string{
		"dependabot:repo:acme/svc-a",
		"dependabot:repo:acme/svc-b",
		"org:acme",
		"repo:acme/svc-a",
		"repo:acme/svc-b",
		"repo:beta/x",
	}
	if diff := cmp.Diff(want, targetNames(ExpandAll(specs, repos))); diff != "" {
		t.Errorf("ExpandAll (-want +got):\n%s", diff)
	}
}

func targetNames(ts []Target) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.String())
	}
	return out
}

// A run lists the organizations its match and topic targets select from,
// and those of secrets it prunes, once each, in lower case.
func TestOrgsToList(t *testing.T) {
	p, err := parsePlan("p.yml", []byte(`version: 1
secrets:
  - name: A
    source: {type: random}
    targets: [{organization: Beta, topic: x}, {organization: acme, match: y}, {organization: zeta}]
  - name: B
    source: {type: random}
    targets: [{organization: ACME, topic: z}, {repository: gamma/x}]
  - name: C
    source: {type: random}
    prune: true
    targets: [{organization: delta, match: x}, {organization: Omega}]
`))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"acme", "beta", "delta", "omega"}, orgsToList(p)); diff != "" {
		t.Errorf("orgsToList (-want +got):\n%s", diff)
	}
}
