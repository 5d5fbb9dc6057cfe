package app

import (
	"fmt"
	"strings"
)

// moreBadInputs are the bad inputs of issue 9: each one reached GitHub, or
// passed, before its fix.
func moreBadInputs() []badInput {
	store := func(extra ...string) []string {
		return append([]string{"store", "--secret-name", "PAT", "--repositories", "acme/api"}, extra...)
	}
	action := func(kv ...string) map[string]string {
		in := map[string]string{"token": classicTok}
		for i := 0; i+1 < len(kv); i += 2 {
			in[kv[i]] = kv[i+1]
		}
		return in
	}
	audit := func(extra ...string) []string {
		return append([]string{"audit", "--config", "$DIR/plan.yml"}, extra...)
	}
	tokenSource := planFile(planOf("  - name: PAT\n    source: {type: token, env: NEW_PAT}\n    targets: [{repository: acme/api}]\n"))
	inputSource := planFile(planOf("  - name: PAT\n    source: {type: token, input: token}\n    targets: [{repository: acme/api}]\n"))
	// 30 targets at 10 points an hour: 180 points take 18 hours.
	var many strings.Builder
	many.WriteString("  - name: PAT\n    source: {type: random}\n    targets:\n")
	for i := range 30 {
		fmt.Fprintf(&many, "      - {repository: acme/r%d}\n", i)
	}
	manyTargets := planFile(planOf(many.String()))
	var tenThousand strings.Builder
	for i := range 10000 {
		fmt.Fprintf(&tenThousand, "acme/repo-%d\n", i)
	}
	hundredRepos := make([]string, 100)
	for i := range hundredRepos {
		hundredRepos[i] = fmt.Sprintf("acme/r%d", i)
	}
	lastLineBad := tenThousand.String() + "acme/bad repo\n"
	withAdmin := func(tok string) map[string]string {
		return map[string]string{"GH_TOKEN": tok, "PAT_ACTION_ADMIN_TOKEN": classicTok}
	}
	return []badInput{
		// Numbers out of range, before any request: 106752 days overflowed
		// a duration and passed a 30-day token.
		{name: "check: min-days-left that overflows a duration", args: []string{"check", "--min-days-left", "106752"},
			want: []string{"min-days-left 106752", "from 0 to 3650"}},
		{name: "check: min-days-left just over the bound", args: []string{"check", "--min-days-left", "3651"},
			want: []string{"min-days-left 3651", "from 0 to 3650"}},
		{name: "check: min-days-left beyond int64", args: []string{"check", "--min-days-left", "99999999999999999999"},
			want: []string{"min-days-left", "want a whole number"}},
		{name: "check: negative max-lifetime-days", args: []string{"check", "--max-lifetime-days", "-1"},
			want: []string{"max-lifetime-days -1", "from 1 to 3650"}},
		{name: "check: max-lifetime-days 0", args: []string{"check", "--max-lifetime-days", "0"},
			want: []string{"max-lifetime-days 0", "leave it empty for no limit"}},
		{name: "check: max-lifetime-days over the bound", args: []string{"check", "--max-lifetime-days", "4000"},
			want: []string{"max-lifetime-days 4000", "from 1 to 3650"}},
		{name: "check: max-lifetime-days not a number", args: []string{"check", "--max-lifetime-days", "90d"},
			want: []string{"max-lifetime-days", "want a whole number"}},
		{name: "check: max-lifetime-days within min-days-left", args: []string{"check", "--max-lifetime-days", "7", "--min-days-left", "14"},
			want: []string{"max-lifetime-days 7 is not above min-days-left 14", "no token could pass both"}},
		{name: "store: min-days-left that overflows", args: store("--min-days-left", "106752"),
			want: []string{"min-days-left 106752", "from 0 to 3650"}},
		{name: "store: max-lifetime-days that overflows", args: store("--max-lifetime-days", "106752"),
			want: []string{"max-lifetime-days 106752", "from 1 to 3650"}},
		{name: "store: concurrency just over GitHub's limit", args: store("--concurrency", "101"),
			want: []string{"concurrency 101", "want 1 to 100"}},
		{name: "store: concurrency beyond int64", args: store("--concurrency", "99999999999999999999"),
			want: []string{"concurrency", "want a whole number"}},
		{name: "action: min-days-left that overflows", inputs: action("min-days-left", "106752"),
			want: []string{"min-days-left 106752", "from 0 to 3650"}},
		{name: "action: max-lifetime-days not a number", inputs: action("max-lifetime-days", "a year"),
			want: []string{"max-lifetime-days", "want a whole number"}},
		{name: "action: store concurrency zero", inputs: action("mode", "store", "secret-name", "PAT", "concurrency", "0"),
			want: []string{"concurrency 0", "want 1 to 100"}},

		// A bare type prefix is not a token.
		{name: "token: bare ghp_", env: map[string]string{"GH_TOKEN": "ghp_"}, args: []string{"check"},
			want: []string{"token", "only a type prefix", "copy the whole token"}},
		{name: "token: bare github_pat_", env: map[string]string{"GH_TOKEN": "github_pat_"}, args: []string{"check"},
			want: []string{"token", "only a type prefix"}},
		{name: "token: bare gho_ as the admin token", env: map[string]string{"GH_TOKEN": classicTok, "PAT_ACTION_ADMIN_TOKEN": "gho_"},
			args: store(), want: []string{"admin token", "only a type prefix"}},
		{name: "action: bare ghs_ as the token", inputs: action("token", "ghs_"),
			want: []string{"token", "only a type prefix"}},
		{name: "action: bare ghu_ as the admin token", inputs: action("mode", "store", "secret-name", "PAT", "admin-token", "ghu_"),
			want: []string{"admin token", "only a type prefix"}},
		{name: "token: over 4096 bytes", env: map[string]string{"GH_TOKEN": "ghp_" + strings.Repeat("a", 5000)}, args: []string{"check"},
			want: []string{"token", "at most 4096"}},
		{name: "token: non-ASCII", env: map[string]string{"GH_TOKEN": classicTok[:8] + "é" + classicTok[8:]}, args: []string{"check"},
			want: []string{"token", "non-ASCII"}},
		{name: "token: file with a blank line after the token", files: map[string]string{"tok": classicTok + "\n\n"},
			args: []string{"check", "--token-file", "$DIR/tok"}, want: []string{"token", "strip it"}},
		{name: "action: admin token with a newline", inputs: action("mode", "store", "secret-name", "PAT", "admin-token", broadTok[:10]+"\n"+broadTok[10:]),
			want: []string{"admin token", "newline or control character"}},

		// Only one file can be standard input.
		{name: "token files: both from stdin", args: []string{"check", "--token-file", "-", "--admin-token-file", "-"},
			want: []string{"--token-file and --admin-token-file all read standard input", "only one of them can"}},
		{name: "token file and repositories file: both from stdin", args: []string{"check", "--token-file", "-", "--repositories-file", "-"},
			want: []string{"--token-file and --repositories-file", "only one of them can"}},
		{name: "store: admin token and repositories file both from stdin", args: []string{"store", "--secret-name", "PAT", "--admin-token-file", "-", "--repositories-file", "-"},
			want: []string{"--admin-token-file and --repositories-file", "only one of them can"}},

		// repositories-file: every name checked, by its line.
		{name: "check: repositories file missing", args: []string{"check", "--repositories-file", "$DIR/nope"},
			want: []string{"repositories-file", "no such file"}},
		{name: "check: repositories file with a bad name", files: map[string]string{"repos": "# mine\nacme/api\n\nacme\n"},
			args: []string{"check", "--repositories-file", "$DIR/repos"}, want: []string{"repositories-file", "repos:4", `repository "acme": want owner/repo`}},
		{name: "store: 10,000 names from stdin, the last one bad", stdin: lastLineBad,
			args: []string{"store", "--secret-name", "PAT", "--repositories-file", "-"}, want: []string{"repositories-file -:10001", "not allowed"}},
		{name: "store: repositories file of another organization's names", files: map[string]string{"repos": "other/api\n"},
			args: []string{"store", "--secret-name", "PAT", "--organization", "acme", "--repositories-file", "$DIR/repos"},
			want: []string{`selected repository "other/api" is not in the organization`}},
		{name: "action: repositories file from stdin", inputs: action("repositories-file", "-"),
			want: []string{"repositories-file -", "give the path of a file"}},
		{name: "action: repositories file with a bad name", files: map[string]string{"repos": "acme/api\nacme/../etc\n"},
			inputs: action("mode", "store", "secret-name", "PAT", "repositories-file", "$DIR/repos"), want: []string{"repositories-file", "repos:2"}},

		// A pacing budget under which the run could not finish in a job.
		{name: "store: 10,000 names from stdin at 10 points a minute", stdin: tenThousand.String(),
			args: []string{"store", "--secret-name", "PAT", "--repositories-file", "-", "--pacing", "10/1m"},
			want: []string{"pacing 10/1m0s", "10000 targets × 6 points each = 60000 points", "more than a job's 6 hours"}},
		{name: "action: store into 100 repositories at 10 points an hour",
			inputs: action("mode", "store", "secret-name", "PAT", "repositories", strings.Join(hundredRepos, ","), "pacing", "10/1h"),
			want:   []string{"100 targets × 6 points each", "more than a job's 6 hours"}},
		{name: "rotate: 30 targets at 10 points an hour", args: rotateArgs("--pacing", "10/1h"), files: manyTargets,
			want: []string{"30 targets × 6 points each = 180 points", "18.0 hours", "split the run with shard"}},
		{name: "audit: 30 targets at 10 points an hour", args: audit("--pacing", "10/1h"), files: manyTargets,
			want: []string{"30 targets", "more than a job's 6 hours"}},

		// store never stores the job's own installation token by accident.
		{name: "store: an installation token", env: map[string]string{"GH_TOKEN": appTok},
			args: store(), want: []string{"installation token (ghs_)", "add app to allowed-token-types"}},
		{name: "store: an installation token with other types allowed", env: map[string]string{"GH_TOKEN": appTok},
			args: store("--allowed-token-types", "classic,fine-grained"), want: []string{"installation token (ghs_)", "allowed-token-types"}},
		{name: "action: store the default GITHUB_TOKEN", inputs: action("mode", "store", "secret-name", "PAT", "token", appTok),
			want: []string{"installation token (ghs_)", "job's own GITHUB_TOKEN"}},

		// audit: the organization's name and token sources' format.
		{name: "audit: organization with a space", args: []string{"audit", "--organization", "acme corp", "--max-age", "90d"},
			want: []string{`organization "acme corp"`, "not allowed"}},
		{name: "audit: organization starting with a hyphen", args: []string{"audit", "--organization", "-acme", "--max-age", "90d"},
			want: []string{`organization "-acme"`, "hyphen"}},
		{name: "audit: organization with a path", args: []string{"audit", "--organization", "acme/../x", "--max-age", "90d"},
			want: []string{"organization", "not allowed"}},
		{name: "audit: organization of 40 characters", args: []string{"audit", "--organization", strings.Repeat("a", 40), "--max-age", "90d"},
			want: []string{"organization", "the most is 39"}},
		{name: "audit: organization without max-age", args: []string{"audit", "--organization", "acme"},
			want: []string{"organization", "needs max-age"}},
		{name: "audit: max-age zero", args: []string{"audit", "--organization", "acme", "--max-age", "0d"},
			want: []string{"max-age", "positive duration"}},
		{name: "audit: max-age of eleven years", args: []string{"audit", "--organization", "acme", "--max-age", "600w"},
			want: []string{`max-age "600w"`, "at most 3650d"}},
		{name: "audit: max-age in months", args: []string{"audit", "--organization", "acme", "--max-age", "3 months"},
			want: []string{"max-age"}},
		{name: "audit: token source with a newline", files: tokenSource, args: audit(),
			env:  map[string]string{"GH_TOKEN": classicTok, "NEW_PAT": classicTok[:9] + "\n" + classicTok[9:]},
			want: []string{"secret PAT", "environment variable NEW_PAT", "newline or control character"}},
		{name: "audit: token source that is a bare prefix", files: tokenSource, args: audit(),
			env:  map[string]string{"GH_TOKEN": classicTok, "NEW_PAT": "github_pat_"},
			want: []string{"secret PAT", "NEW_PAT", "only a type prefix"}},
		{name: "audit: the run's token as a source, with a space", files: inputSource, args: audit(),
			env:  withAdmin(classicTok[:9] + " " + classicTok[9:]),
			want: []string{"secret PAT", "the run's token", "contains a space"}},
		{name: "audit: concurrency zero", files: tokenSource, args: audit("--concurrency", "0"),
			want: []string{"concurrency 0", "want 1 to 100"}},
		{name: "audit: pacing word", files: tokenSource, args: audit("--pacing", "slow"),
			want: []string{`pacing "slow"`}},
		{name: "audit: shard zero", files: tokenSource, args: audit("--shard", "0/2"),
			want: []string{"shard", "0/2"}},
		{name: "audit: missing plan", args: []string{"audit", "--config", "$DIR/nope.yml"},
			want: []string{"config", "no such file"}},
		{name: "action: audit an organization with a bad name", inputs: action("mode", "audit", "organization", "acme_corp", "max-age", "90d"),
			want: []string{`organization "acme_corp"`, "not allowed"}},
		{name: "action: audit a token source with a bad token", inputs: action("mode", "audit", "config", "$DIR/plan.yml"),
			files: tokenSource, env: map[string]string{"NEW_PAT": " " + classicTok},
			want: []string{"secret PAT", "NEW_PAT", "strip it"}},

		// rotate and the rest: flags checked before the plan is run.
		{name: "rotate: concurrency over GitHub's limit", args: rotateArgs("--concurrency", "1000"), files: planFile(planOf(randomSecret("PAT", "acme/api"))),
			want: []string{"concurrency 1000", "want 1 to 100"}},
		{name: "rotate: shards that together pass GitHub's concurrent limit", args: rotateArgs("--shard", "1/4", "--concurrency", "50"), files: planFile(planOf(randomSecret("PAT", "acme/api"))),
			want: []string{"concurrency 50 with shard 1/4", "up to 200 requests at once", "at most 25"}},
		{name: "action: audit shards that together pass GitHub's concurrent limit", inputs: action("mode", "audit", "config", "$DIR/plan.yml", "shard", "3/3", "concurrency", "34"),
			files: tokenSource, want: []string{"concurrency 34 with shard 3/3", "at most 33"}},
		{name: "rotate: pacing budget under a write", args: rotateArgs("--pacing", "1/1m"), files: planFile(planOf(randomSecret("PAT", "acme/api"))),
			want: []string{`pacing "1/1m"`, "at least 10"}},
		{name: "rotate: force not a boolean", args: rotateArgs("--force=maybe"), files: planFile(planOf(randomSecret("PAT", "acme/api"))),
			want: []string{"force", "want true or false"}},
		{name: "rotate: dry-run not a boolean", args: rotateArgs("--dry-run=sometimes"), files: planFile(planOf(randomSecret("PAT", "acme/api"))),
			want: []string{"dry-run", "want true or false"}},
		{name: "action: rotate with a bad shard", inputs: action("mode", "rotate", "config", "$DIR/plan.yml", "shard", "2/1"),
			files: planFile(planOf(randomSecret("PAT", "acme/api"))), want: []string{"shard", "2/1"}},
		{name: "check: repository with three parts", args: []string{"check", "--repositories", "acme/api/extra"},
			want: []string{"repositories", "want owner/repo"}},
		{name: "check: repository owner starting with a hyphen", args: []string{"check", "--repositories", "-acme/api"},
			want: []string{"repositories", "hyphen"}},
		{name: "check: repository named ..", args: []string{"check", "--repositories", "acme/.."},
			want: []string{"repositories", `"acme/.."`}},
		{name: "check: allowed scope in the wrong case", args: []string{"check", "--allowed-scopes", "Repo"},
			want: []string{"allowed-scopes", `did you mean "repo"`}},
		{name: "store: secret name with a space", args: []string{"store", "--secret-name", "MY PAT", "--repositories", "acme/api"},
			want: []string{`secret name "MY PAT"`}},
		{name: "action: unknown forbidden scope", inputs: action("forbidden-scopes", "admin:orgs"),
			want: []string{"forbidden-scopes", `did you mean "admin:org"`}},
		{name: "action: unknown token type", inputs: action("allowed-token-types", "fine_grained"),
			want: []string{"allowed-token-types", `did you mean "fine-grained"`}},
		{name: "action: require-expiration not a boolean", inputs: action("require-expiration", "always"),
			want: []string{"require-expiration", "want true or false"}},
		{name: "action: repository without owner", inputs: action("repositories", "api"),
			want: []string{"repositories", "want owner/repo"}},
		{name: "action: store pacing budget too small", inputs: action("mode", "store", "secret-name", "PAT", "pacing", "5/1m"),
			want: []string{`pacing "5/1m"`, "at least 10"}},
		// Numbers as only a parser, not a person, would read them.
		{name: "check: min-days-left with a plus sign", args: []string{"check", "--min-days-left", "+5"},
			want: []string{`min-days-left "+5"`, "want a whole number"}},
		{name: "check: min-days-left in hexadecimal", args: []string{"check", "--min-days-left", "0x10"},
			want: []string{`min-days-left "0x10"`, "want a whole number"}},
		{name: "check: min-days-left in exponent form", args: []string{"check", "--min-days-left", "1e3"},
			want: []string{`min-days-left "1e3"`, "want a whole number"}},
		{name: "action: min-days-left with a plus sign", inputs: action("min-days-left", "+5"),
			want: []string{`min-days-left "+5"`, "want a whole number"}},
		{name: "action: min-days-left in hexadecimal", inputs: action("min-days-left", "0x10"),
			want: []string{`min-days-left "0x10"`, "want a whole number"}},
		{name: "action: max-lifetime-days in exponent form", inputs: action("max-lifetime-days", "1e3"),
			want: []string{`max-lifetime-days "1e3"`, "want a whole number"}},
		{name: "store: concurrency in hexadecimal", args: store("--concurrency", "0x10"),
			want: []string{`concurrency "0x10"`, "want a whole number"}},
		{name: "action: store concurrency with a plus sign", inputs: action("mode", "store", "secret-name", "PAT", "concurrency", "+5"),
			want: []string{`concurrency "+5"`, "want a whole number"}},

		// api-url tricks.
		{name: "api-url: credentials behind an uppercase scheme", noAPIURL: true, args: []string{"check", "--api-url", "HTTPS://user:pw@ghe.example.com/api/v3"},
			want: []string{"api-url", "must not carry credentials"}},
		{name: "api-url: an escaped @ in the host", noAPIURL: true, args: []string{"check", "--api-url", "https://ghe.example.com%40evil.example/api/v3"},
			want: []string{"api-url", `invalid URL escape "%40"`}},
		{name: "api-url: an escaped @ in the user", noAPIURL: true, args: []string{"check", "--api-url", "https://user%40x:pw@ghe.example.com/"},
			want: []string{"api-url", "must not carry credentials"}},
		{name: "api-url: uppercase http to a remote host", noAPIURL: true, args: []string{"check", "--api-url", "HTTP://ghe.example.com/api/v3"},
			want: []string{"api-url", "use https://"}},
		{name: "api-url: an uppercase access_token query", noAPIURL: true, args: []string{"check", "--api-url", "https://ghe.example.com/api/v3?ACCESS_TOKEN=x"},
			want: []string{"api-url", "must not have a query"}},
		{name: "api-url: a token in the fragment", noAPIURL: true, args: []string{"check", "--api-url", "https://ghe.example.com/api/v3#access_token=x"},
			want: []string{"api-url", "must not have a fragment"}},
		{name: "api-url: port 0", noAPIURL: true, args: []string{"check", "--api-url", "https://ghe.example.com:0/api/v3"},
			want: []string{"api-url", "from 1 to 65535"}},
		{name: "api-url: an unclosed IPv6 host", noAPIURL: true, args: []string{"check", "--api-url", "https://[::1/api"},
			want: []string{"api-url", "missing ']'"}},

		// Names with characters that break lines or hide.
		{name: "store: environment with a line separator", args: store("--environment", "prod\u2028x"),
			want: []string{`environment name "prod\u2028x"`, "line-breaking character"}},
		{name: "store: environment with a next-line control", args: store("--environment", "prod\u0085x"),
			want: []string{`environment name "prod\u0085x"`, "control character"}},
		{name: "store: environment with a zero-width space", args: store("--environment", "pr\u200bod"),
			want: []string{`environment name "pr\u200bod"`, "invisible"}},
		{name: "action: environment with a paragraph separator", inputs: action("mode", "store", "secret-name", "PAT", "environment", "a\u2029b"),
			want: []string{`environment name "a\u2029b"`, "line-breaking character"}},
		{name: "rotate: plan environment with a line separator", args: rotateArgs(),
			files: planFile(planOf("  - name: PAT\n    source: {type: random}\n    targets: [{repository: acme/api, environment: \"a\\u2028b\"}]\n")),
			want:  []string{"plan.yml:5", `environment name "a\u2028b"`, "line-breaking character"}},
		{name: "store: secret name with a line separator", args: []string{"store", "--secret-name", "PA\u2028T", "--repositories", "acme/api"},
			want: []string{`secret name "PA\u2028T"`, "not allowed"}},

		// Plans and lists at their limits.
		{name: "rotate: plan over 1 MB in one comment line", args: rotateArgs(),
			files: planFile(planOf(randomSecret("PAT", "acme/api")) + "# " + strings.Repeat("x", 1<<20) + "\n"),
			want:  []string{"larger than 1048576 bytes"}},
		{name: "check: repositories file with CRLF and a bad name", files: map[string]string{"repos": "\ufeffacme/api\r\nacme/../x\r\n"},
			args: []string{"check", "--repositories-file", "$DIR/repos"}, want: []string{"repos:2", "acme/.."}},
		{name: "rotate: shard of zero jobs", args: rotateArgs("--shard", "1/0"), files: planFile(planOf(randomSecret("PAT", "acme/api"))),
			want: []string{`shard "1/0"`, "1 <= i <= n"}},
		{name: "tokens: a personal token as the admin token", args: []string{"tokens", "--organization", "acme"},
			want: []string{"tokens", "GitHub App installation token"}},
		{name: "store: a bare ghp_ as the previous token", env: map[string]string{"GH_TOKEN": classicTok, "PAT_ACTION_PREVIOUS_TOKEN": "ghp_"},
			args: store(), want: []string{"previous token"}},
		{name: "rotate: token source env name with a line separator", args: rotateArgs(),
			files: planFile(planOf("  - name: PAT\n    source: {type: token, env: \"NEW\\u2028PAT\"}\n    targets: [{repository: acme/api}]\n")),
			want:  []string{"source.env", `"NEW\u2028PAT"`}},
		{name: "rotate: private-key-env name with a line separator", args: rotateArgs(),
			files: planFile(planOf("  - name: PAT\n    source: {type: github-app, app-id: 1, private-key-env: \"K\\u2028EY\", installation: acme}\n    targets: [{repository: acme/api}]\n")),
			want:  []string{"source.private-key-env", `"K\u2028EY"`}},
		{name: "rotate: plan with a byte order mark and a repository with a line separator", args: rotateArgs(),
			files: planFile("\ufeff" + planOf("  - name: PAT\n    source: {type: random}\n    targets: [{repository: \"acme/api\\u2028\"}]\n")),
			want:  []string{"targets[0].repository", `"api\u2028"`}},
	}
}
