package app

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pat-action/pat-action/emulator"
)

// TestHelp holds each command's help to gh's shape: it prints on stdout,
// exits 0, runs nothing, lists only the command's flags and an example.
func TestHelp(t *testing.T) {
	tests := []struct {
		command string
		want    []string
		wantNot []string
	}{
		{"demo", []string{"USAGE", "pat-action demo", "EXAMPLES"}, []string{"== check"}},
		{"check", []string{"USAGE", "FLAGS", "EXAMPLES", "--token-file", "--admin-token-file", "--required-scopes", "must reach each"},
			[]string{"--secret-name", "--config", "--concurrency", "secrets go to", "--previous-token-file", "--state-key-file"}},
		{"store", []string{"--secret-name", "--concurrency", "are written at once", "--admin-token-file", "--previous-token-file"}, []string{"--config", "--max-age"}},
		{"audit", []string{"--max-age", "--concurrency", "are read at once", "--state-key-file", "PAT_ACTION_STATE_KEY"}, []string{"are written", "--secret-name", "--required-scopes"}},
		{"rotate", []string{"--config", "--force", "--state-key-file", "PAT_ACTION_STATE_KEY"}, []string{"--max-age", "--secret-name"}},
		{"tokens", []string{"--app-private-key-file", "--enforce", "EXAMPLES"}, []string{"--secret-name", "--config", "--previous-token-file", "--state-key-file"}},
	}
	for _, tt := range tests {
		t.Run(tt.command, func(t *testing.T) {
			res := run(t, []string{tt.command, "--help"}, map[string]string{}, "")
			if res.code != 0 {
				t.Errorf("exit %d, want 0; stderr:\n%s", res.code, res.stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(res.stdout, w) {
					t.Errorf("help does not say %q:\n%s", w, res.stdout)
				}
			}
			for _, w := range tt.wantNot {
				if strings.Contains(res.stdout, w) {
					t.Errorf("help says %q, which is not this command's:\n%s", w, res.stdout)
				}
			}
		})
	}
}

// TestUsageErrorJSON: with --json, bad input still gives a JSON object on
// stdout, saying why, with exit code 2.
func TestUsageErrorJSON(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"bad flag value", []string{"check", "--json", "--min-days-left", "soon"}, "min-days-left"},
		{"unknown flag", []string{"check", "--json", "--nope"}, "flag provided but not defined"},
		{"token as a flag", []string{"store", "--json", "--token", "x"}, "never flag values"},
		{"previous token as a flag", []string{"store", "--json", "--previous-token=x"}, "PAT_ACTION_PREVIOUS_TOKEN, or pass --previous-token-file"},
		{"stray argument", []string{"audit", "--json", "x"}, "unexpected argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := run(t, tt.args, map[string]string{"GH_TOKEN": classicTok}, "")
			if res.code != 2 {
				t.Fatalf("exit %d, want 2", res.code)
			}
			var got struct {
				Error *struct {
					Kind    string `json:"kind"`
					Message string `json:"message"`
				} `json:"error"`
				ExitCode int `json:"exit_code"`
			}
			if err := json.Unmarshal([]byte(res.stdout), &got); err != nil {
				t.Fatalf("stdout is not JSON: %v\n%s", err, res.stdout)
			}
			if got.Error == nil || got.Error.Kind != "usage" || got.ExitCode != 2 || !strings.Contains(got.Error.Message, tt.want) {
				t.Errorf("JSON error = %s, want kind usage, exit_code 2, a message naming %q", res.stdout, tt.want)
			}
		})
	}
}

// TestTallyLine: every command ends with one line of what it looked at,
// even when all is well, and the JSON report says what was checked.
func TestTallyLine(t *testing.T) {
	w := rotateWorld(t)
	w.emu.SetSecret("repo:acme/api", "FRESH", []byte("x"), testNow.Add(-10*24*time.Hour))
	w.emu.SetSecret("repo:acme/web", "FRESH", []byte("x"), testNow.Add(-10*24*time.Hour))
	env := map[string]string{"GH_TOKEN": adminTok}
	res := run(t, []string{"audit", "--api-url", w.apiURL, "--organization", "acme", "--max-age", "90d", "--json"}, env, "")
	if res.code != 0 {
		t.Fatalf("exit %d, want 0; stderr:\n%s", res.code, res.stderr)
	}
	repos := 3 // api, web and infra
	want := "checked " + plural(repos, "repository") + ", 2 secrets; 0 problems"
	if strings.TrimSpace(res.stderr) != want {
		t.Errorf("stderr = %q, want %q", res.stderr, want)
	}
	var rep struct {
		Checked Checked `json:"checked"`
		Token   *json.RawMessage
	}
	if err := json.Unmarshal([]byte(res.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Checked{Repositories: repos, Secrets: 2}, rep.Checked); diff != "" {
		t.Errorf("checked (-want +got):\n%s", diff)
	}
	if rep.Token != nil {
		t.Errorf("an audit's report carries a token: %s", *rep.Token)
	}
}

// TestCheckSaysOnlyWhatIsKnown: GitHub refusing a token (401) tells its
// type from its prefix and nothing else.
func TestCheckSaysOnlyWhatIsKnown(t *testing.T) {
	w := newWorld(t, emulator.Options{}, checkTokens()...)
	res := run(t, []string{"check", "--api-url", w.apiURL, "--json"}, map[string]string{"GH_TOKEN": "ghp_unknown000000000000000000000000000000"}, "")
	if res.code != 1 {
		t.Fatalf("exit %d, want 1", res.code)
	}
	for _, bad := range []string{"scopes:", "expires:", "never", "carry no OAuth scopes"} {
		if strings.Contains(res.stderr, bad) {
			t.Errorf("stderr says %q of a token GitHub refused:\n%s", bad, res.stderr)
		}
	}
	var rep struct {
		Token map[string]any `json:"token"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]any{"type": "classic", "valid": false}, rep.Token); diff != "" {
		t.Errorf("token (-want +got):\n%s", diff)
	}
}

// TestCheckNetworkFailureJSON: when GitHub cannot be reached the JSON
// report names the cause, and its lists are lists.
func TestCheckNetworkFailureJSON(t *testing.T) {
	w := newWorld(t, emulator.Options{}, checkTokens()...)
	w.srv.Close()
	res := run(t, []string{"check", "--api-url", w.apiURL, "--json"}, map[string]string{"GH_TOKEN": classicTok}, "")
	if res.code != 3 {
		t.Fatalf("exit %d, want 3", res.code)
	}
	var rep struct {
		Policy struct {
			Rules []any `json:"rules"`
		} `json:"policy"`
		Problems []Problem   `json:"problems"`
		Error    reportError `json:"error"`
		ExitCode int         `json:"exit_code"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Policy.Rules == nil {
		t.Errorf(`policy.rules is null, want []`)
	}
	if len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0].Error, "check token") {
		t.Errorf("problems = %+v, want one naming the failed check", rep.Problems)
	}
	if n := strings.Count(res.stderr, "check token:"); n != 1 {
		t.Errorf("stderr says the cause %d times, want once:\n%s", n, res.stderr)
	}
	if rep.Error.Kind != "api" || rep.ExitCode != 3 {
		t.Errorf("error = %+v, exit_code %d; want kind api, 3", rep.Error, rep.ExitCode)
	}
}

// TestAuditActionErrorsSayWhy: in a workflow each stale or missing secret
// is an ::error:: annotation that says why.
func TestAuditActionErrorsSayWhy(t *testing.T) {
	w := rotateWorld(t)
	w.emu.SetSecret("repo:acme/api", "RELEASE_PAT", []byte("x"), testNow.Add(-40*24*time.Hour))
	env := map[string]string{
		"GITHUB_ACTIONS": "true", "INPUT_MODE": "audit", "INPUT_ADMIN-TOKEN": adminTok, "INPUT_API-URL": w.apiURL,
		"INPUT_CONFIG": writePlan(t, auditPlan), "GITHUB_REPOSITORY": "acme/api",
	}
	res, _ := runRotation(t, nil, env, false)
	if res.code != 1 {
		t.Fatalf("exit %d, want 1; stdout:\n%s", res.code, res.stdout)
	}
	for _, want := range []string{
		"::error::RELEASE_PAT in repo:acme/api is stale: older than max-age 30d",
		"::error::RELEASE_PAT is missing from repo:acme/web",
	} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, res.stdout)
		}
	}
}

// TestAuditAgeInUsersUnit: a stored value's age is told in the unit of the
// max age it is held to, as the user wrote it.
func TestAuditAgeInUsersUnit(t *testing.T) {
	tests := []struct {
		name    string
		planAge string
		flag    []string
		stored  time.Duration
		want    string
	}{
		{"weeks from the plan", "2w", nil, 20 * 24 * time.Hour, "written 2 weeks ago, older than max-age 2w"},
		{"minutes from the flag", "30d", []string{"--max-age", "1m"}, time.Hour, "written 60 minutes ago, older than max-age 1m"},
		{"hours from a mixed max-age", "1d12h", nil, 40 * time.Hour, "written 40 hours ago, older than max-age 1d12h"},
		{"one day", "30d", nil, 24 * time.Hour, "written 1 day ago, within max-age 30d"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := rotateWorld(t)
			for _, c := range []string{"repo:acme/api", "repo:acme/web"} {
				w.emu.SetSecret(c, "RELEASE_PAT", []byte("x"), testNow.Add(-tt.stored))
			}
			plan := writePlan(t, strings.Replace(auditPlan, "max-age: 30d", "max-age: "+tt.planAge, 1))
			args := append([]string{"audit", "--api-url", w.apiURL, "--config", plan}, tt.flag...)
			res, _ := runRotation(t, args, map[string]string{"GH_TOKEN": adminTok, "NEW_PAT": classicTok}, false)
			if !strings.Contains(res.stderr, tt.want) {
				t.Errorf("stderr does not say %q:\n%s", tt.want, res.stderr)
			}
		})
	}
}

// TestNaturalOrder: every listing orders targets as people read them,
// svc-2 before svc-10.
func TestNaturalOrder(t *testing.T) {
	w := rotateWorld(t)
	for _, n := range []string{"svc-10", "svc-2", "svc-1"} {
		w.emu.AddRepo(emulator.Repo{Owner: "acme", Name: n})
		w.emu.SetSecret("repo:acme/"+n, "OLD", []byte("x"), testNow.Add(-100*24*time.Hour))
	}
	want := []string{"repo:acme/svc-1", "repo:acme/svc-2", "repo:acme/svc-10"}
	order := func(t *testing.T, res result) []string {
		t.Helper()
		var rep struct{ Secrets []SecretResult }
		if err := json.Unmarshal([]byte(res.stdout), &rep); err != nil {
			t.Fatalf("stdout is not JSON: %v\n%s", err, res.stderr)
		}
		var got []string
		for _, s := range rep.Secrets {
			got = append(got, s.Target)
		}
		return got
	}
	t.Run("store", func(t *testing.T) {
		res := run(t, []string{"store", "--api-url", w.apiURL, "--secret-name", "PAT", "--repositories", "acme/svc-10,acme/svc-2,acme/svc-1", "--json"},
			map[string]string{"GH_TOKEN": classicTok, "PAT_ACTION_ADMIN_TOKEN": adminTok}, "")
		if diff := cmp.Diff(want, order(t, res)); diff != "" {
			t.Errorf("store order (-want +got):\n%s", diff)
		}
	})
	t.Run("audit", func(t *testing.T) {
		res := run(t, []string{"audit", "--api-url", w.apiURL, "--organization", "acme", "--max-age", "90d", "--json"}, map[string]string{"GH_TOKEN": adminTok}, "")
		if diff := cmp.Diff(want, order(t, res)); diff != "" {
			t.Errorf("audit order (-want +got):\n%s", diff)
		}
	})
	t.Run("rotate", func(t *testing.T) {
		plan := writePlan(t, `version: 1
secrets:
  - name: HOOK
    source: {type: random, bytes: 16}
    targets: [{organization: acme, match: "^svc-"}]
`)
		res, _ := runRotation(t, []string{"rotate", "--api-url", w.apiURL, "--config", plan, "--dry-run", "--json"}, map[string]string{"GH_TOKEN": adminTok}, false)
		if diff := cmp.Diff(want, order(t, res)); diff != "" {
			t.Errorf("rotate order (-want +got):\n%s", diff)
		}
	})
}

// TestDeployKeysCountedApart: a deploy key's registration is no secret:
// secrets-written counts secrets, deploy-keys-written the keys, in the
// outputs and in the JSON report.
func TestDeployKeysCountedApart(t *testing.T) {
	w := rotateWorld(t)
	r := newRunner(t, map[string]string{"mode": "rotate", "token": adminTok, "api-url": w.apiURL, "config": writePlan(t, rotatePlan)})
	r.env["NEW_PAT"] = classicTok
	res := run(t, nil, r.env, "")
	if res.code != 0 {
		t.Fatalf("exit %d; stdout:\n%s", res.code, res.stdout)
	}
	outs := parseOutputs(t, r.read(t, r.outputFile))
	// RELEASE_PAT in api and web, WEBHOOK_SECRET in api, INFRA_DEPLOY_KEY
	// in web; one key registered on acme/infra.
	if outs["secrets-written"] != "4" || outs["deploy-keys-written"] != "1" {
		t.Errorf("secrets-written %q, deploy-keys-written %q; want 4 and 1", outs["secrets-written"], outs["deploy-keys-written"])
	}

	w = rotateWorld(t)
	cli, _ := runRotation(t, []string{"rotate", "--api-url", w.apiURL, "--config", writePlan(t, rotatePlan), "--json"},
		map[string]string{"GH_TOKEN": adminTok, "NEW_PAT": classicTok}, false)
	var rep struct{ Written Written }
	if err := json.Unmarshal([]byte(cli.stdout), &rep); err != nil {
		t.Fatalf("stdout is not JSON: %v", err)
	}
	if diff := cmp.Diff(Written{Secrets: 4, DeployKeys: 1}, rep.Written); diff != "" {
		t.Errorf("written (-want +got):\n%s", diff)
	}
}

// TestReminderSaysWhatItDid: the text and the job summary say what a run
// did to a reminder issue; without a repository to open it in, a run says
// so; and a token that failed its policy is never "stored as" anything.
func TestReminderSaysWhatItDid(t *testing.T) {
	const reminderPlan = `version: 1
secrets:
  - name: RELEASE_PAT
    source: {type: token, env: NEW_PAT}
    policy: {required-scopes: [repo], allowed-scopes: [repo, workflow], min-days-left: MIN}
    open-issue: true
    targets: [{repository: acme/api}]
`
	t.Run("opened, in text and summary", func(t *testing.T) {
		w := rotateWorld(t)
		r := newRunner(t, map[string]string{"mode": "rotate", "token": adminTok, "api-url": w.apiURL,
			"config": writePlan(t, strings.Replace(reminderPlan, "MIN", "2", 1))})
		r.env["NEW_PAT"], r.env["GITHUB_REPOSITORY"] = expiringTok, "acme/web"
		res := run(t, nil, r.env, "")
		if res.code != 0 {
			t.Fatalf("exit %d; stdout:\n%s", res.code, res.stdout)
		}
		issues := w.emu.Issues("acme/web")
		if len(issues) != 1 {
			t.Fatalf("%d issues, want 1", len(issues))
		}
		want := "created acme/web#" + strconv.Itoa(issues[0].Number) + ", the reminder to rotate RELEASE_PAT"
		if !strings.Contains(res.stdout, want) {
			t.Errorf("text does not say %q:\n%s", want, res.stdout)
		}
		if s := r.read(t, r.summary); !strings.Contains(s, "| acme/web#"+strconv.Itoa(issues[0].Number)+" | RELEASE_PAT | created |") {
			t.Errorf("summary does not list the issue:\n%s", s)
		}
		if !strings.Contains(issues[0].Body, "The token stored as **RELEASE_PAT**") {
			t.Errorf("body does not say the passing token is stored:\n%s", issues[0].Body)
		}
	})
	t.Run("failed token not stored as", func(t *testing.T) {
		w := rotateWorld(t)
		env := map[string]string{"GH_TOKEN": adminTok, "NEW_PAT": expiringTok, "GITHUB_REPOSITORY": "acme/web"}
		res, _ := runRotation(t, []string{"rotate", "--api-url", w.apiURL, "--config", writePlan(t, strings.Replace(reminderPlan, "MIN", "7", 1))}, env, false)
		if res.code != 1 {
			t.Fatalf("exit %d, want 1; stderr:\n%s", res.code, res.stderr)
		}
		issues := w.emu.Issues("acme/web")
		if len(issues) != 1 {
			t.Fatalf("%d issues, want 1", len(issues))
		}
		if strings.Contains(issues[0].Body, "stored as") || !strings.Contains(issues[0].Body, "was not stored") {
			t.Errorf("body of a reminder for a token that was not stored:\n%s", issues[0].Body)
		}
		if _, ok := w.emu.SecretValue("repo:acme/api", "RELEASE_PAT"); ok {
			t.Error("the failing token was stored")
		}
	})
	t.Run("no repository: a warning", func(t *testing.T) {
		w := rotateWorld(t)
		env := map[string]string{"GH_TOKEN": adminTok, "NEW_PAT": expiringTok}
		res, _ := runRotation(t, []string{"rotate", "--api-url", w.apiURL, "--config", writePlan(t, strings.Replace(reminderPlan, "MIN", "2", 1))}, env, false)
		if res.code != 0 {
			t.Fatalf("exit %d, want 0 (a warning); stderr:\n%s", res.code, res.stderr)
		}
		if !strings.Contains(res.stderr, "warn") || !strings.Contains(res.stderr, "GITHUB_REPOSITORY") {
			t.Errorf("stderr does not warn that no reminder could be opened:\n%s", res.stderr)
		}
	})
}

// TestActionSpeaksInInputs: in a workflow, messages name the action's
// inputs, not the CLI's environment variables and flags.
func TestActionSpeaksInInputs(t *testing.T) {
	tests := []struct {
		name    string
		inputs  map[string]string
		want    []string
		wantNot []string
	}{
		{"no token", map[string]string{"mode": "check"},
			[]string{"::error::no token: set the token input"}, []string{"PAT_ACTION_TOKEN", "--token-file"}},
		{"no admin token", map[string]string{"mode": "audit", "organization": "acme", "max-age": "90d"},
			[]string{"::error::no admin token: set the admin-token input, or the token input"}, []string{"PAT_ACTION_ADMIN_TOKEN", "--admin-token-file"}},
		{"mistyped mode", map[string]string{"mode": "chek", "token": classicTok},
			[]string{`::error::unknown mode "chek": want one of check, store, rotate, audit, tokens, demo, version (did you mean "check"?)`}, []string{"command"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, emulator.Options{}, checkTokens()...)
			tt.inputs["api-url"] = w.apiURL
			r := newRunner(t, tt.inputs)
			res := run(t, nil, r.env, "")
			if res.code != 2 {
				t.Errorf("exit %d, want 2", res.code)
			}
			for _, s := range tt.want {
				if !strings.Contains(res.stdout, s) {
					t.Errorf("stdout does not say %q:\n%s", s, res.stdout)
				}
			}
			for _, s := range tt.wantNot {
				if strings.Contains(res.stdout+res.stderr, s) {
					t.Errorf("output says %q, the CLI's words:\n%s", s, res.stdout)
				}
			}
			if n := len(w.emu.Requests()); n != 0 {
				t.Errorf("%d requests for bad input, want 0", n)
			}
		})
	}
}

// TestStoreLogOrder: in the action's log the check's result comes first,
// then the per-target group, then the results, once each.
func TestStoreLogOrder(t *testing.T) {
	w := newWorld(t, emulator.Options{}, checkTokens()...)
	r := newRunner(t, map[string]string{"mode": "store", "token": classicTok, "api-url": w.apiURL, "secret-name": "PAT",
		"repositories": "acme/api,acme/web", "required-scopes": "repo,workflow"})
	res := run(t, nil, r.env, "")
	if res.code != 0 {
		t.Fatalf("exit %d; stdout:\n%s", res.code, res.stdout)
	}
	token, rule, group := strings.Index(res.stdout, "token:   classic"), strings.Index(res.stdout, "required-scopes"), strings.Index(res.stdout, "::group::")
	if token < 0 || rule < 0 || group < 0 || !(token < group && rule < group) {
		t.Errorf("the check's result (at %d, %d) does not come before the group (at %d):\n%s", token, rule, group, res.stdout)
	}
	if n := strings.Count(res.stdout, "token:   classic"); n != 1 {
		t.Errorf("the token shows %d times, want once:\n%s", n, res.stdout)
	}
}

// TestReposOnlyNeedsNoToken: replacing an organization secret's
// repositories sends no value, so it needs only the admin token, and the
// token is neither required nor inspected.
func TestReposOnlyNeedsNoToken(t *testing.T) {
	w := rotateWorld(t)
	first := run(t, []string{"store", "--api-url", w.apiURL, "--secret-name", "PAT", "--organization", "acme", "--repositories", "acme/api"},
		map[string]string{"GH_TOKEN": classicTok, "PAT_ACTION_ADMIN_TOKEN": adminTok}, "")
	if first.code != 0 {
		t.Fatalf("store: exit %d; stderr:\n%s", first.code, first.stderr)
	}
	before := len(w.emu.Requests())
	res := run(t, []string{"store", "--api-url", w.apiURL, "--secret-name", "PAT", "--organization", "acme", "--repositories", "acme/api,acme/web", "--update-repositories-only"},
		map[string]string{"PAT_ACTION_ADMIN_TOKEN": adminTok}, "")
	if res.code != 0 {
		t.Fatalf("exit %d, want 0 without a token; stderr:\n%s", res.code, res.stderr)
	}
	if _, ids := w.emu.OrgSecretRepos("org:acme", "PAT"); len(ids) != 2 {
		t.Errorf("the secret is readable by %d repositories, want 2", len(ids))
	}
	for _, r := range w.emu.Requests()[before:] {
		if r.Operation == "GET /user" || r.Operation == "HEAD /" {
			t.Errorf("a store that sends no value inspected a token: %s", r.Operation)
		}
	}
	assertValue(t, w, "org:acme", "PAT", classicTok)
}

// TestAPIURLHints: an api-url that is certainly not a GitHub API is bad
// input with the right address, before any request; one that answers 404
// where every GitHub API answers gets a hint too.
func TestAPIURLHints(t *testing.T) {
	for _, tt := range []struct{ url, want string }{
		{"https://api.github.com/api/v3", "use https://api.github.com"},
		{"https://github.com", "its API is https://api.github.com"},
		{"https://ghe.example.com/api/v3/api/v3", "repeats /api/v3: use https://ghe.example.com/api/v3"},
	} {
		for _, action := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s action %v", tt.url, action), func(t *testing.T) {
				var res result
				if action {
					res = run(t, nil, newRunner(t, map[string]string{"mode": "check", "token": classicTok, "api-url": tt.url}).env, "")
				} else {
					res = run(t, []string{"check", "--api-url", tt.url}, map[string]string{"GH_TOKEN": classicTok}, "")
				}
				if res.code != exitUsage || !strings.Contains(res.stdout+res.stderr, tt.want) {
					t.Errorf("exit %d, want 2 saying %q; stdout:\n%s\nstderr:\n%s", res.code, tt.want, res.stdout, res.stderr)
				}
			})
		}
	}
	t.Run("404 where the API answers", func(t *testing.T) {
		// A web server that is not GitHub's API: 404 for everything.
		srv := httptest.NewServer(http.NotFoundHandler())
		t.Cleanup(srv.Close)
		res := run(t, []string{"check", "--api-url", srv.URL + "/not-the-api"}, map[string]string{"GH_TOKEN": classicTok}, "")
		if res.code != exitPartial || !strings.Contains(res.stderr, "is api-url") || !strings.Contains(res.stderr, "https://HOST/api/v3") {
			t.Errorf("exit %d, want 3 with a hint about api-url; stderr:\n%s", res.code, res.stderr)
		}
	})
}

// An input that does not apply to the mode is warned of as ignored, and
// it is: a shard given to store (which does not shard) does not cap or
// refuse store's concurrency.
func TestIgnoredInputIgnored(t *testing.T) {
	w := newWorld(t, emulator.Options{}, checkTokens()...)
	r := newRunner(t, map[string]string{"mode": "store", "token": classicTok, "api-url": w.apiURL, "secret-name": "PAT",
		"repositories": "acme/api", "required-scopes": "repo,workflow", "shard": "1/4", "concurrency": "50"})
	res := run(t, nil, r.env, "")
	if res.code != 0 {
		t.Fatalf("exit %d; stdout:\n%s", res.code, res.stdout)
	}
	if !strings.Contains(res.stdout, "::warning::input shard does not apply to mode store: it is ignored") {
		t.Errorf("no warning that shard is ignored:\n%s", res.stdout)
	}
}
