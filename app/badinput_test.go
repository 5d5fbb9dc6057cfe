package app

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pat-action/pat-action/emulator"
)

// badInput is one bad input: exit 2, a message that names the field and
// says what would be right, and not one request.
type badInput struct {
	name string
	// args are the CLI arguments after the command and --api-url; nil with
	// inputs set runs the action instead.
	args []string
	// inputs are action inputs (INPUT_*), with GITHUB_ACTIONS=true.
	inputs map[string]string
	// env replaces the default environment (GH_TOKEN=classicTok).
	env map[string]string
	// files are written to the test's directory; "$DIR" in args is it.
	files map[string]string
	// noAPIURL leaves --api-url (or the api-url input) out, for cases that
	// set their own.
	noAPIURL bool
	// stdin is the standard input of a CLI run.
	stdin string
	// want are substrings of the message: the field, then the fix.
	want []string
}

func TestBadInput(t *testing.T) {
	bigToken := "ghp_" + strings.Repeat("a", 49*1024)
	store := func(extra ...string) []string {
		return append([]string{"store", "--secret-name", "PAT", "--repositories", "acme/api"}, extra...)
	}
	storeOrg := func(extra ...string) []string {
		return append([]string{"store", "--secret-name", "PAT", "--organization", "acme"}, extra...)
	}
	action := func(kv ...string) map[string]string {
		in := map[string]string{"token": classicTok}
		for i := 0; i+1 < len(kv); i += 2 {
			in[kv[i]] = kv[i+1]
		}
		return in
	}
	tests := []badInput{
		// check: policy inputs.
		{name: "check: unknown scope", args: []string{"check", "--required-scopes", "repos"},
			want: []string{"required-scopes", `did you mean "repo"`}},
		{name: "check: unknown forbidden scope", args: []string{"check", "--forbidden-scopes", "admin:orgs"},
			want: []string{"forbidden-scopes", `did you mean "admin:org"`}},
		{name: "check: negative min-days-left", args: []string{"check", "--min-days-left", "-3"},
			want: []string{"min-days-left -3", "must be 0 or more"}},
		{name: "check: min-days-left not a number", args: []string{"check", "--min-days-left", "a week"},
			want: []string{"min-days-left", "want a whole number"}},
		{name: "check: unknown token type", args: []string{"check", "--allowed-token-types", "clasic"},
			want: []string{"allowed-token-types", "classic"}},
		{name: "check: required scope outside allowed", args: []string{"check", "--required-scopes", "repo", "--allowed-scopes", "public_repo"},
			want: []string{"required-scopes", "add \"repo\" to allowed-scopes"}},
		{name: "check: required scope forbidden", args: []string{"check", "--required-scopes", "repo", "--forbidden-scopes", "repo"},
			want: []string{"forbidden-scopes", "drop it from one of the two"}},
		{name: "check: bad boolean", args: []string{"check", "--require-expiration=maybe"},
			want: []string{"require-expiration", "want true or false"}},
		{name: "check: repository without owner", args: []string{"check", "--repositories", "api"},
			want: []string{"repositories", "want owner/repo"}},
		{name: "check: token as an argument", args: []string{"check", classicTok},
			want: []string{"unexpected argument", "use PAT_ACTION_TOKEN or --token-file"}},
		{name: "check: unknown flag", args: []string{"check", "--secret-name", "PAT"},
			want: []string{"flag provided but not defined: -secret-name", "run 'pat-action check --help'"}},

		// api-url.
		{name: "api-url: http to a remote host", noAPIURL: true, args: []string{"check", "--api-url", "http://ghe.example.com/api/v3"},
			want: []string{"api-url", "http:// is allowed only for loopback hosts; use https://"}},
		{name: "api-url: another scheme", noAPIURL: true, args: []string{"check", "--api-url", "ftp://ghe.example.com"},
			want: []string{"api-url", "want an https:// URL"}},
		{name: "api-url: credentials in the URL", noAPIURL: true, args: []string{"check", "--api-url", "https://user:pw@ghe.example.com/api/v3"},
			want: []string{"api-url", "must not carry credentials"}},
		{name: "api-url: query", noAPIURL: true, args: []string{"check", "--api-url", "https://ghe.example.com/api/v3?x=1"},
			want: []string{"api-url", "must not have a query"}},
		{name: "api-url: no host", noAPIURL: true, args: []string{"check", "--api-url", "https:///api/v3"},
			want: []string{"api-url", "missing host"}},

		// Tokens.
		{name: "token: empty", env: map[string]string{"GH_TOKEN": ""}, args: []string{"check"},
			want: []string{"no token", "GH_TOKEN", "--token-file"}},
		{name: "token: trailing newline", env: map[string]string{"GH_TOKEN": classicTok + "\n"}, args: []string{"check"},
			want: []string{"token", "strip it"}},
		{name: "token: inner newline (header injection)", env: map[string]string{"GH_TOKEN": classicTok[:10] + "\nX-Evil: 1"}, args: []string{"check"},
			want: []string{"token", "newline or control character"}},
		{name: "token: inner space", env: map[string]string{"GH_TOKEN": classicTok[:10] + " " + classicTok[10:]}, args: []string{"check"},
			want: []string{"token", "contains a space"}},
		{name: "token: file missing", args: []string{"check", "--token-file", "$DIR/nope"},
			want: []string{"--token-file", "no such file"}},
		{name: "token: admin token with whitespace", env: map[string]string{"GH_TOKEN": classicTok, "PAT_ACTION_ADMIN_TOKEN": " " + broadTok},
			args: store(), want: []string{"admin token", "strip it"}},

		// store: secret names and values.
		{name: "store: no secret name", args: []string{"store", "--repositories", "acme/api"},
			want: []string{"secret-name is required"}},
		{name: "store: name starts with a digit", args: []string{"store", "--secret-name", "1PAT", "--repositories", "acme/api"},
			want: []string{`secret name "1PAT"`, "must not start with a digit"}},
		{name: "store: reserved GITHUB_ prefix", args: []string{"store", "--secret-name", "GITHUB_PAT", "--repositories", "acme/api"},
			want: []string{`secret name "GITHUB_PAT"`, "GitHub reserves"}},
		{name: "store: reserved prefix in lower case", args: []string{"store", "--secret-name", "github_pat", "--repositories", "acme/api"},
			want: []string{`secret name "github_pat"`, "GitHub reserves"}},
		{name: "store: hyphen in the name", args: []string{"store", "--secret-name", "MY-PAT", "--repositories", "acme/api"},
			want: []string{`secret name "MY-PAT"`, "use only letters A-Z, a-z, digits 0-9 and _"}},
		{name: "store: value over 48 KB from a token file", files: map[string]string{"big": bigToken},
			args: store("--token-file", "$DIR/big"), want: []string{"secret's value", "at most 49152 bytes (48 KB)"}},

		// store: targets.
		{name: "store: empty target list", args: []string{"store", "--secret-name", "PAT"},
			want: []string{"no target", "give repositories"}},
		{name: "store: only commas as targets", args: []string{"store", "--secret-name", "PAT", "--repositories", " , ,"},
			want: []string{"no target", "give repositories"}},
		{name: "store: bad repository name", args: []string{"store", "--secret-name", "PAT", "--repositories", "acme/my repo"},
			want: []string{"repositories", `character ' ' is not allowed`}},
		{name: "store: visibility without organization", args: store("--visibility", "all"),
			want: []string{`visibility "all" without organization`, "only organization secrets have a visibility"}},
		{name: "store: organization with environment", args: storeOrg("--environment", "production"),
			want: []string{"organizations have no environments", "drop organization"}},
		{name: "store: unknown visibility", args: storeOrg("--visibility", "secret"),
			want: []string{"visibility", "want all, private or selected"}},
		{name: "store: private visibility with repositories", args: storeOrg("--visibility", "private", "--repositories", "acme/api"),
			want: []string{`visibility "private"`, "use visibility selected, or drop the repositories"}},
		{name: "store: selected repository of another organization", args: storeOrg("--repositories", "other/api"),
			want: []string{`selected repository "other/api" is not in the organization`, "its own repositories"}},
		{name: "store: unknown secret type", args: store("--secret-type", "dependabots"),
			want: []string{"secret-type", `"dependabot"`}},
		{name: "store: codespaces on GHES", noAPIURL: true,
			args: store("--secret-type", "codespaces", "--api-url", "http://127.0.0.1:1/api/v3"),
			want: []string{"codespaces secrets do not exist on GitHub Enterprise Server", "use secret type actions or dependabot"}},
		{name: "store: dependabot environment secret", args: store("--secret-type", "dependabot", "--environment", "production"),
			want: []string{`environment "production"`, "use secret type actions"}},
		{name: "store: update-repositories-only for repository secrets", args: store("--update-repositories-only"),
			want: []string{"update-repositories-only", "give organization and repositories"}},

		// store: concurrency and pacing.
		{name: "store: concurrency zero", args: store("--concurrency", "0"),
			want: []string{"concurrency 0", "want 1 to 100"}},
		{name: "store: concurrency over GitHub's limit", args: store("--concurrency", "500"),
			want: []string{"concurrency 500", "want 1 to 100"}},
		{name: "store: concurrency not a number", args: store("--concurrency", "lots"),
			want: []string{"concurrency", "want a whole number"}},
		{name: "store: pacing word", args: store("--pacing", "fast"),
			want: []string{`pacing "fast"`, `"900/1m"`}},
		{name: "store: pacing budget too small", args: store("--pacing", "5/1m"),
			want: []string{`pacing "5/1m"`, "at least 10"}},
		{name: "store: pacing bad duration", args: store("--pacing", "900/soon"),
			want: []string{`window "soon"`, "positive duration such as 1m"}},
		{name: "store: dry-run not a boolean", args: store("--dry-run=perhaps"),
			want: []string{"dry-run", "want true or false"}},

		// rotate: plan files and flags.
		{name: "plan: unknown key", args: rotateArgs(), files: planFile(planOf("  - name: PAT\n    sorce: {type: random}\n    targets: [{repository: acme/api}]\n")),
			want: []string{"plan.yml:4", `"sorce"`, `did you mean "source"`}},
		{name: "plan: duplicate secret", args: rotateArgs(), files: planFile(planOf(randomSecret("PAT", "acme/api") + randomSecret("PAT", "acme/web"))),
			want: []string{"plan.yml:", "PAT", "duplicate"}},
		{name: "plan: bad regex", args: rotateArgs(), files: planFile(planOf("  - name: PAT\n    source: {type: random}\n    targets: [{organization: acme, match: \"^svc-(\"}]\n")),
			want: []string{"plan.yml:5", "match", "not a valid Go regular expression: missing closing )"}},
		{name: "plan: bad duration", args: rotateArgs(), files: planFile(planOf("  - name: PAT\n    source: {type: random}\n    max-age: 30 days\n    targets: [{repository: acme/api}]\n")),
			want: []string{"plan.yml:5", "max-age", "want w (weeks), d (days)"}},
		{name: "plan: empty target list", args: rotateArgs(), files: planFile(planOf("  - name: PAT\n    source: {type: random}\n    targets: []\n")),
			want: []string{"plan.yml:", "targets", "at least one"}},
		{name: "plan: reserved secret name", args: rotateArgs(), files: planFile(planOf(randomSecret("GITHUB_PAT", "acme/api"))),
			want: []string{"plan.yml:3", `"GITHUB_PAT"`, "GitHub reserves"}},
		{name: "plan: unknown source type", args: rotateArgs(), files: planFile(planOf("  - name: PAT\n    source: {type: randm}\n    targets: [{repository: acme/api}]\n")),
			want: []string{"plan.yml:4", `"randm"`, `did you mean "random"`}},
		{name: "plan: unknown scope in a policy", args: rotateArgs(), files: planFile(planOf("  - name: PAT\n    source: {type: token, env: NEW_PAT}\n    policy: {required-scopes: [repos]}\n    targets: [{repository: acme/api}]\n")),
			want: []string{"plan.yml:5", "required-scopes", `did you mean "repo"`}},
		{name: "plan: negative min-days-left in a policy", args: rotateArgs(), files: planFile(planOf("  - name: PAT\n    source: {type: token, env: NEW_PAT}\n    policy: {min-days-left: -1}\n    targets: [{repository: acme/api}]\n")),
			want: []string{"plan.yml:5", "min-days-left", "from 0 to 3650"}},
		{name: "plan: visibility conflict", args: rotateArgs(), files: planFile(planOf("  - name: PAT\n    source: {type: random}\n    targets: [{organization: acme, visibility: private, repositories: [acme/api]}]\n")),
			want: []string{"plan.yml:5", "repositories", "only with visibility: selected"}},
		{name: "plan: unsupported version", args: rotateArgs(), files: planFile("version: 2\nsecrets:\n" + randomSecret("PAT", "acme/api")),
			want: []string{"plan.yml:1", "version", "1"}},
		{name: "plan: not YAML", args: rotateArgs(), files: planFile("version: 1\nsecrets: [\n"),
			want: []string{"plan.yml:2", "invalid YAML"}},
		{name: "rotate: bad shard", args: rotateArgs("--shard", "3/2"), files: planFile(planOf(randomSecret("PAT", "acme/api"))),
			want: []string{"shard", "3/2"}},
		{name: "rotate: shard not a fraction", args: rotateArgs("--shard", "first"), files: planFile(planOf(randomSecret("PAT", "acme/api"))),
			want: []string{"shard", "first"}},
		{name: "rotate: missing plan file", args: []string{"rotate", "--config", "$DIR/nope.yml"},
			want: []string{"config", "no such file", "write a rotation plan there"}},
		{name: "rotate: token source not set", args: rotateArgs(), files: planFile(planOf("  - name: PAT\n    source: {type: token, env: NEW_PAT}\n    targets: [{repository: acme/api}]\n")),
			want: []string{"NEW_PAT"}},
		{name: "action: plan with an unknown key", inputs: action("mode", "rotate", "config", "$DIR/plan.yml"),
			files: planFile(planOf("  - name: PAT\n    source: {type: random}\n    tragets: [{repository: acme/api}]\n")),
			want:  []string{"plan.yml:", `"tragets"`, `did you mean "targets"`}},

		// The action: inputs from INPUT_*.
		{name: "action: unknown mode", inputs: action("mode", "stor"),
			want: []string{`unknown mode "stor"`, "want one of check, store", `did you mean "store"`}},
		{name: "action: empty token", inputs: map[string]string{"token": ""},
			want: []string{"no token", "token input"}},
		{name: "action: token with a space", inputs: action("token", classicTok[:10]+" "+classicTok[10:]),
			want: []string{"token", "contains a space"}},
		{name: "action: reserved secret name", inputs: action("mode", "store", "secret-name", "GITHUB_TOKEN"),
			want: []string{`secret name "GITHUB_TOKEN"`, "GitHub reserves"}},
		{name: "action: store with no repository at all", env: map[string]string{"GITHUB_REPOSITORY": ""},
			inputs: action("mode", "store", "secret-name", "PAT"), want: []string{"no target", "give repositories"}},
		{name: "action: negative concurrency", inputs: action("mode", "store", "secret-name", "PAT", "concurrency", "-1"),
			want: []string{"concurrency -1", "want 1 to 100"}},
		{name: "action: http api-url to a remote host", noAPIURL: true, inputs: action("api-url", "http://github.example.com"),
			want: []string{"api-url", "use https://"}},
		{name: "action: unknown scope", inputs: action("required-scopes", "repo, wokflow"),
			want: []string{"required-scopes", `did you mean "workflow"`}},
		{name: "action: visibility conflict", inputs: action("mode", "store", "secret-name", "PAT", "organization", "acme", "visibility", "all", "repositories", "acme/api"),
			want: []string{`visibility "all"`, "use visibility selected"}},
		{name: "action: bad boolean", inputs: action("mode", "store", "secret-name", "PAT", "dry-run", "yes please"),
			want: []string{"dry-run", "want true or false"}},
	}
	tests = append(tests, moreBadInputs()...)
	// Counted, not claimed: a case that repeats another's input counts once.
	if n := distinctBadInputs(t, tests); n < 120 {
		t.Fatalf("only %d distinct bad-input cases, want at least 120", n)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkBadInput(t, tt)
		})
	}
}

// checkBadInput runs one bad input against a fresh emulator and asserts
// exit 2, the message, no request and no leaked token.
func checkBadInput(t *testing.T, tt badInput) {
	t.Helper()
	w := newWorld(t, emulator.Options{}, checkTokens()...)
	dir := t.TempDir()
	for name, text := range tt.files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var res result
	var texts map[string]string
	if tt.inputs != nil {
		in := map[string]string{}
		for k, v := range tt.inputs {
			in[k] = strings.ReplaceAll(v, "$DIR", dir)
		}
		if !tt.noAPIURL {
			in["api-url"] = w.apiURL
		}
		r := newRunner(t, in)
		for k, v := range tt.env {
			r.env[k] = v
		}
		res = run(t, nil, r.env, "")
		texts = map[string]string{"stdout": res.stdout, "stderr": res.stderr,
			"outputs": r.read(t, r.outputFile), "summary": r.read(t, r.summary)}
	} else {
		env := tt.env
		if env == nil {
			env = map[string]string{"PAT_ACTION_TOKEN": classicTok} // read for github.com and GHES alike
		}
		args := []string{tt.args[0]}
		if !tt.noAPIURL {
			args = append(args, "--api-url", w.apiURL)
		}
		for _, a := range tt.args[1:] {
			args = append(args, strings.ReplaceAll(a, "$DIR", dir))
		}
		res = run(t, args, env, tt.stdin)
		texts = map[string]string{"stdout": res.stdout, "stderr": res.stderr}
	}
	if res.code != exitUsage {
		t.Errorf("exit %d, want 2 (bad input)\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	msg := res.stdout + res.stderr
	for _, s := range tt.want {
		if !strings.Contains(msg, s) {
			t.Errorf("the message does not say %q:\nstdout:\n%s\nstderr:\n%s", s, res.stdout, res.stderr)
		}
	}
	if reqs := w.emu.Requests(); len(reqs) != 0 {
		t.Errorf("%d requests sent for bad input, want 0; the first: %s %s", len(reqs), reqs[0].Method, reqs[0].Path)
	}
	for _, tok := range []string{classicTok, broadTok} {
		assertNoLeak(t, tok, texts)
	}
}

// distinctBadInputs counts the cases whose inputs differ, and fails on a
// name used twice.
func distinctBadInputs(t *testing.T, tests []badInput) int {
	t.Helper()
	names := map[string]bool{}
	inputs := map[string]bool{}
	for _, tt := range tests {
		if names[tt.name] {
			t.Errorf("bad-input case %q is listed twice", tt.name)
		}
		names[tt.name] = true
		key, err := json.Marshal([]any{tt.args, tt.inputs, tt.env, tt.files, tt.stdin, tt.noAPIURL})
		if err != nil {
			t.Fatal(err)
		}
		inputs[string(key)] = true
	}
	return len(inputs)
}

// rotateArgs are a rotate command line with the plan at $DIR/plan.yml.
func rotateArgs(extra ...string) []string {
	return append([]string{"rotate", "--config", "$DIR/plan.yml"}, extra...)
}

func planFile(text string) map[string]string { return map[string]string{"plan.yml": text} }

func planOf(secrets string) string { return "version: 1\nsecrets:\n" + secrets }

// randomSecret is a plan entry of a random secret in one repository.
func randomSecret(name, repo string) string {
	return "  - name: " + name + "\n    source: {type: random}\n    targets: [{repository: " + repo + "}]\n"
}
