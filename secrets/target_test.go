package secrets

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTargetString(t *testing.T) {
	for _, tc := range []struct {
		target Target
		want   string
	}{
		{Target{Scope: RepoScope, Owner: "acme", Repo: "api"}, "repo:acme/api"},
		{Target{Kind: Actions, Scope: RepoScope, Owner: "acme", Repo: "api"}, "repo:acme/api"},
		{Target{Kind: Actions, Scope: EnvScope, Owner: "acme", Repo: "api", Environment: "production"}, "env:acme/api/production"},
		{Target{Kind: Actions, Scope: OrgScope, Org: "acme", Visibility: "private"}, "org:acme"},
		{Target{Kind: Dependabot, Scope: RepoScope, Owner: "acme", Repo: "api"}, "dependabot:repo:acme/api"},
		{Target{Kind: Dependabot, Scope: OrgScope, Org: "acme"}, "dependabot:org:acme"},
		{Target{Kind: Codespaces, Scope: RepoScope, Owner: "acme", Repo: "api"}, "codespaces:repo:acme/api"},
		{Target{Kind: Codespaces, Scope: OrgScope, Org: "acme"}, "codespaces:org:acme"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			if got := tc.target.String(); got != tc.want {
				t.Errorf("String() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParseRepo(t *testing.T) {
	long := strings.Repeat("a", 100)
	for _, tc := range []struct {
		name, in          string
		wantOwner, wantRe string
		wantErr           string
	}{
		{"simple", "acme/api", "acme", "api", ""},
		{"dots, dashes, underscores", "octo-cat/my_repo.go-v2", "octo-cat", "my_repo.go-v2", ""},
		{"dotfile repo", "acme/.github", "acme", ".github", ""},
		{"39-character owner", strings.Repeat("o", 39) + "/r", strings.Repeat("o", 39), "r", ""},
		{"100-character repo", "acme/" + long, "acme", long, ""},
		{"no slash", "acme", "", "", `repository "acme": want owner/repo`},
		{"empty", "", "", "", `repository "": want owner/repo`},
		{"empty owner", "/api", "", "", `repository "/api": want owner/repo`},
		{"empty repo", "acme/", "", "", `repository "acme/": want owner/repo`},
		{"three parts", "acme/api/x", "", "", `repository "acme/api/x": want owner/repo`},
		{"URL", "https://github.com/acme/api", "", "", `repository "https://github.com/acme/api": want owner/repo`},
		{"owner hyphen first", "-acme/api", "", "", `repository "-acme/api": owner "-acme" must not start or end with a hyphen`},
		{"owner hyphen last", "acme-/api", "", "", `repository "acme-/api": owner "acme-" must not start or end with a hyphen`},
		{"owner double hyphen", "ac--me/api", "", "", `repository "ac--me/api": owner "ac--me" must not contain consecutive hyphens`},
		{"owner underscore", "ac_me/api", "", "", `repository "ac_me/api": owner "ac_me": character '_' is not allowed (use only letters, digits and single hyphens)`},
		{"owner too long", strings.Repeat("o", 40) + "/r", "", "", `repository "` + strings.Repeat("o", 40) + `/r": owner "` + strings.Repeat("o", 40) + `" is 40 characters long, the most is 39`},
		{"repo dot", "acme/.", "", "", `repository "acme/.": repository name "." is not allowed`},
		{"repo dotdot", "acme/..", "", "", `repository "acme/..": repository name ".." is not allowed`},
		{"repo space", "acme/a b", "", "", `repository "acme/a b": repository name "a b": character ' ' is not allowed (use only letters, digits, '.', '-' and '_')`},
		{"repo too long", "acme/" + long + "a", "", "", `repository "acme/` + long + `a": repository name "` + long + `a" is 101 characters long, the most is 100`},
		{"surrounding space", " acme/api", "", "", `repository " acme/api": owner " acme": character ' ' is not allowed (use only letters, digits and single hyphens)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			owner, repo, err := ParseRepo(tc.in)
			if got := errString(err); got != tc.wantErr {
				t.Fatalf("ParseRepo(%q) error = %q, want %q", tc.in, got, tc.wantErr)
			}
			if owner != tc.wantOwner || repo != tc.wantRe {
				t.Errorf("ParseRepo(%q) = %q, %q, want %q, %q", tc.in, owner, repo, tc.wantOwner, tc.wantRe)
			}
		})
	}
}

func TestParseKind(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    Kind
		wantErr string
	}{
		{"actions", Actions, ""},
		{"dependabot", Dependabot, ""},
		{"codespaces", Codespaces, ""},
		{"agents", Agents, ""},
		{"Actions", "", `unknown secret type "Actions" (did you mean "actions"?) (want actions, dependabot, codespaces or agents)`},
		{"codespace", "", `unknown secret type "codespace" (did you mean "codespaces"?) (want actions, dependabot, codespaces or agents)`},
		{"", Actions, ""},
		{"agent", "", `unknown secret type "agent" (did you mean "agents"?) (want actions, dependabot, codespaces or agents)`},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseKind(tc.in)
			if e := errString(err); e != tc.wantErr {
				t.Fatalf("ParseKind(%q) error = %q, want %q", tc.in, e, tc.wantErr)
			}
			if got != tc.want {
				t.Errorf("ParseKind(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestParseVisibility(t *testing.T) {
	for _, tc := range []struct {
		in, want, wantErr string
	}{
		{"all", "all", ""},
		{"private", "private", ""},
		{"selected", "selected", ""},
		{"Private", "", `unknown visibility "Private" (did you mean "private"?) (want all, private or selected)`},
		{"public", "", `unknown visibility "public" (want all, private or selected)`},
		{"", "", `unknown visibility "" (want all, private or selected)`},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseVisibility(tc.in)
			if e := errString(err); e != tc.wantErr {
				t.Fatalf("ParseVisibility(%q) error = %q, want %q", tc.in, e, tc.wantErr)
			}
			if got != tc.want {
				t.Errorf("ParseVisibility(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestTargetValidate(t *testing.T) {
	repo := Target{Scope: RepoScope, Owner: "acme", Repo: "api"}
	env := Target{Scope: EnvScope, Owner: "acme", Repo: "api", Environment: "production"}
	org := Target{Scope: OrgScope, Org: "acme", Visibility: "private"}
	with := func(t Target, f func(*Target)) Target { f(&t); return t }

	for _, tc := range []struct {
		name    string
		target  Target
		ghes    bool
		wantErr string
	}{
		{"repo", repo, false, ""},
		{"repo on GHES", repo, true, ""},
		{"dependabot repo", with(repo, func(t *Target) { t.Kind = Dependabot }), true, ""},
		{"codespaces repo", with(repo, func(t *Target) { t.Kind = Codespaces }), false, ""},
		{"env", env, false, ""},
		{"env on GHES", env, true, ""},
		{"env with slash and space", with(env, func(t *Target) { t.Environment = "prod/eu west" }), false, ""},
		{"org private", org, false, ""},
		{"org all", with(org, func(t *Target) { t.Visibility = "all" }), false, ""},
		{"org selected", with(org, func(t *Target) { t.Visibility = "selected"; t.SelectedRepos = []string{"acme/api", "ACME/web"} }), false, ""},
		{"dependabot org", with(org, func(t *Target) { t.Kind = Dependabot }), true, ""},
		{"codespaces org", with(org, func(t *Target) { t.Kind = Codespaces }), false, ""},

		{"unknown kind", with(repo, func(t *Target) { t.Kind = "copilot" }), false,
			`unknown secret type "copilot" (want actions, dependabot, codespaces or agents)`},
		{"agents org", with(org, func(t *Target) { t.Kind = Agents }), false, ""},
		{"agents on GHES", with(repo, func(t *Target) { t.Kind = Agents }), true,
			"agents secrets do not exist on GitHub Enterprise Server: use secret type actions or dependabot"},
		{"agents environment", with(env, func(t *Target) { t.Kind = Agents }), false,
			`environment "production": agents secrets have no environment level (environment secrets are actions secrets): drop the environment or use secret type actions`},
		{"codespaces on GHES", with(repo, func(t *Target) { t.Kind = Codespaces }), true,
			"codespaces secrets do not exist on GitHub Enterprise Server: use secret type actions or dependabot"},
		{"codespaces org on GHES", with(org, func(t *Target) { t.Kind = Codespaces }), true,
			"codespaces secrets do not exist on GitHub Enterprise Server: use secret type actions or dependabot"},
		{"no scope", Target{Owner: "acme", Repo: "api"}, false, "scope is empty (want repo, env or org)"},
		{"unknown scope", with(repo, func(t *Target) { t.Scope = "repos" }), false, `unknown scope "repos" (did you mean "repo"?) (want repo, env or org)`},
		{"repo without repo", with(repo, func(t *Target) { t.Repo = "" }), false, `repository "acme/": want owner/repo (owner and repo must both be set)`},
		{"repo with bad owner", with(repo, func(t *Target) { t.Owner = "a_b" }), false,
			`repository "a_b/api": owner "a_b": character '_' is not allowed (use only letters, digits and single hyphens)`},
		{"repo with environment", with(repo, func(t *Target) { t.Environment = "production" }), false,
			`environment "production" given for a repository secret: use scope env for an environment secret`},
		{"repo with org", with(repo, func(t *Target) { t.Org = "acme" }), false,
			`organization "acme" given for a repository secret: use scope org for an organization secret`},
		{"repo with visibility", with(repo, func(t *Target) { t.Visibility = "all" }), false,
			`visibility "all" given for a repository secret: only organization secrets have a visibility`},
		{"repo with selected repos", with(repo, func(t *Target) { t.SelectedRepos = []string{"acme/web"} }), false,
			`selected repositories given for a repository secret: only organization secrets with visibility selected have them`},
		{"env without repository", with(env, func(t *Target) { t.Owner, t.Repo = "", "" }), false,
			`environment "production": repository "/": want owner/repo (owner and repo must both be set)`},
		{"env without name", with(env, func(t *Target) { t.Environment = "" }), false,
			"environment is empty: an environment secret needs the environment's name"},
		{"env name too long", with(env, func(t *Target) { t.Environment = strings.Repeat("e", 256) }), false,
			"environment name is 256 characters long, the most is 255"},
		{"dependabot env", with(env, func(t *Target) { t.Kind = Dependabot }), false,
			`environment "production": dependabot secrets have no environment level (environment secrets are actions secrets): drop the environment or use secret type actions`},
		{"codespaces env", with(env, func(t *Target) { t.Kind = Codespaces }), false,
			`environment "production": codespaces secrets have no environment level (environment secrets are actions secrets): drop the environment or use secret type actions`},
		{"env with visibility", with(env, func(t *Target) { t.Visibility = "private" }), false,
			`visibility "private" given for an environment secret: only organization secrets have a visibility`},
		{"org without name", with(org, func(t *Target) { t.Org = "" }), false,
			"organization is empty: an organization secret needs the organization's name"},
		{"org bad name", with(org, func(t *Target) { t.Org = "ac me" }), false,
			`organization "ac me": owner "ac me": character ' ' is not allowed (use only letters, digits and single hyphens)`},
		{"org with environment", with(org, func(t *Target) { t.Environment = "production" }), false,
			`environment "production" given for an organization secret: organizations have no environments; drop the environment, or write environment secrets into repositories`},
		{"org with repository", with(org, func(t *Target) { t.Owner, t.Repo = "acme", "api" }), false,
			`repository "acme/api" given as the owner of an organization secret: list the repositories that may read it in selected repositories`},
		{"org without visibility", with(org, func(t *Target) { t.Visibility = "" }), false,
			`organization "acme": unknown visibility "" (want all, private or selected)`},
		{"org bad visibility", with(org, func(t *Target) { t.Visibility = "public" }), false,
			`organization "acme": unknown visibility "public" (want all, private or selected)`},
		{"org selected without repos: read by none yet", with(org, func(t *Target) { t.Visibility = "selected" }), false, ""},
		{"org repos without selected", with(org, func(t *Target) { t.SelectedRepos = []string{"acme/api"} }), false,
			`organization "acme": selected repositories given with visibility "private": use visibility selected, or drop the repositories`},
		{"org selected bad repo", with(org, func(t *Target) { t.Visibility = "selected"; t.SelectedRepos = []string{"api"} }), false,
			`organization "acme": selected repository "api": want owner/repo`},
		{"org selected repo elsewhere", with(org, func(t *Target) { t.Visibility = "selected"; t.SelectedRepos = []string{"other/api"} }), false,
			`organization "acme": selected repository "other/api" is not in the organization: an organization secret can only be shared with its own repositories`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := errString(tc.target.Validate(tc.ghes)); got != tc.wantErr {
				t.Errorf("Validate(%v) =\n%q\nwant\n%q", tc.ghes, got, tc.wantErr)
			}
		})
	}
}

func TestTargetPaths(t *testing.T) {
	type paths struct{ PublicKey, List, Secret string }
	for _, tc := range []struct {
		target Target
		want   paths
	}{
		{Target{Scope: RepoScope, Owner: "acme", Repo: "api"}, paths{
			"repos/acme/api/actions/secrets/public-key", "repos/acme/api/actions/secrets", "repos/acme/api/actions/secrets/RELEASE_PAT"}},
		{Target{Kind: Dependabot, Scope: RepoScope, Owner: "acme", Repo: "api"}, paths{
			"repos/acme/api/dependabot/secrets/public-key", "repos/acme/api/dependabot/secrets", "repos/acme/api/dependabot/secrets/RELEASE_PAT"}},
		{Target{Kind: Codespaces, Scope: RepoScope, Owner: "acme", Repo: "api"}, paths{
			"repos/acme/api/codespaces/secrets/public-key", "repos/acme/api/codespaces/secrets", "repos/acme/api/codespaces/secrets/RELEASE_PAT"}},
		{Target{Kind: Actions, Scope: EnvScope, Owner: "acme", Repo: "api", Environment: "production"}, paths{
			"repos/acme/api/environments/production/secrets/public-key", "repos/acme/api/environments/production/secrets", "repos/acme/api/environments/production/secrets/RELEASE_PAT"}},
		{Target{Kind: Actions, Scope: EnvScope, Owner: "acme", Repo: "api", Environment: "prod/eu west?#"}, paths{
			"repos/acme/api/environments/prod%2Feu%20west%3F%23/secrets/public-key", "repos/acme/api/environments/prod%2Feu%20west%3F%23/secrets", "repos/acme/api/environments/prod%2Feu%20west%3F%23/secrets/RELEASE_PAT"}},
		{Target{Kind: Actions, Scope: OrgScope, Org: "acme"}, paths{
			"orgs/acme/actions/secrets/public-key", "orgs/acme/actions/secrets", "orgs/acme/actions/secrets/RELEASE_PAT"}},
		{Target{Kind: Dependabot, Scope: OrgScope, Org: "acme"}, paths{
			"orgs/acme/dependabot/secrets/public-key", "orgs/acme/dependabot/secrets", "orgs/acme/dependabot/secrets/RELEASE_PAT"}},
		{Target{Kind: Codespaces, Scope: OrgScope, Org: "acme"}, paths{
			"orgs/acme/codespaces/secrets/public-key", "orgs/acme/codespaces/secrets", "orgs/acme/codespaces/secrets/RELEASE_PAT"}},
	} {
		t.Run(tc.target.String(), func(t *testing.T) {
			got := paths{tc.target.PublicKeyPath(), tc.target.SecretsListPath(), tc.target.SecretPath("RELEASE_PAT")}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("paths mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDefaultVisibility(t *testing.T) {
	for _, tc := range []struct {
		vis   string
		repos []string
		want  string
	}{
		{"", nil, VisibilityPrivate},
		{"", []string{"acme/api"}, VisibilitySelected},
		{VisibilityAll, nil, VisibilityAll},
		{VisibilityPrivate, []string{"acme/api"}, VisibilityPrivate}, // given: Validate judges it
		{VisibilitySelected, nil, VisibilitySelected},
	} {
		if got := DefaultVisibility(tc.vis, tc.repos); got != tc.want {
			t.Errorf("DefaultVisibility(%q, %v) = %q, want %q", tc.vis, tc.repos, got, tc.want)
		}
	}
}
