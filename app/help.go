package app

import (
	"flag"
	"fmt"
	"io"
	"strings"
)

// commandHelp is what a command's help says besides its flags: what it
// does and an example, in gh's style.
var commandHelp = map[string]struct{ about, example string }{
	"check": {"Read what the token is and hold it against the policy.",
		"$ GH_TOKEN=... pat-action check --required-scopes repo,workflow --min-days-left 14"},
	"store": {"Check the token, then write it into every target as an encrypted secret.",
		"$ pat-action store --token-file pat.txt --secret-name RELEASE_PAT --repositories acme/api,acme/web"},
	"rotate": {"Run a rotation plan: make or read each secret's new value and write it into its targets.",
		"$ PAT_ACTION_ADMIN_TOKEN=... pat-action rotate --config .github/pat-rotation.yml --dry-run"},
	"audit": {"Report secrets that are stale, missing or whose token expires soon.",
		"$ GH_TOKEN=... pat-action audit --organization acme --max-age 90d"},
	"tokens": {"List every token that can reach an organization and hold each against the policy. With --enforce revoke,\n" +
		"cut failing ones off: revoke fine-grained PATs' access and remove classic PATs' SAML authorization.",
		"$ PAT_ACTION_APP_ID=12345 pat-action tokens --organization acme --app-private-key-file app.pem --max-lifetime-days 90"},
	"demo": {"Run every command against the built-in GitHub API emulator, on loopback, and check what it stored.",
		"$ pat-action demo"},
}

// tokenHelp says where a command's tokens come from, on the command line.
func tokenHelp(command string) string {
	s := "The token comes from PAT_ACTION_TOKEN, GH_TOKEN or GITHUB_TOKEN, or --token-file FILE (- reads stdin);\n" +
		"for an api-url that is not github.com's or a GHE.com tenant's (GitHub Enterprise Server, any other host),\n" +
		"as gh, from GH_ENTERPRISE_TOKEN or GITHUB_ENTERPRISE_TOKEN, not GH_TOKEN.\n"
	if command == "check" {
		s += "The admin token (with organization, to read a fine-grained token's permissions) comes from\nPAT_ACTION_ADMIN_TOKEN or --admin-token-file FILE.\n"
	} else {
		s += "The admin token, which writes, comes from PAT_ACTION_ADMIN_TOKEN or --admin-token-file FILE;\nwithout one, the token writes.\n"
	}
	if command == "rotate" || command == "audit" {
		s += "A plan's github-app sources with input: app take the App from PAT_ACTION_CLIENT_ID or\nPAT_ACTION_APP_ID (or --client-id, --app-id), and PAT_ACTION_APP_PRIVATE_KEY or --app-private-key-file FILE.\n"
		s += "The state key (32 to 1024 bytes, such as from openssl rand -base64 32), which signs the rotation\nstate so that a forged one is ignored, comes from PAT_ACTION_STATE_KEY or --state-key-file FILE.\n"
	}
	return s + "Tokens are never flag values: they would show in process listings and shell history.\n"
}

// printHelp is a command's help in gh's style: USAGE, FLAGS with only the
// command's own flags, EXAMPLES.
func printHelp(w io.Writer, command string, fs *flag.FlagSet) {
	h := commandHelp[command]
	if h.about != "" {
		fmt.Fprintf(w, "%s\n\n", h.about)
	}
	fmt.Fprintf(w, "USAGE\n  pat-action %s [flags]\n", command)
	if fs != nil {
		fmt.Fprintf(w, "\nFLAGS\n")
		fs.VisitAll(func(f *flag.Flag) {
			name, usage := flag.UnquoteUsage(f)
			if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
				name = ""
			} else if name == "value" || name == "" {
				name = "VALUE"
			}
			fmt.Fprintf(w, "  %-34s %s\n", strings.TrimSpace("--"+f.Name+" "+name), usage)
		})
		fmt.Fprintf(w, "\n%s", indent(tokenHelp(command)))
	}
	if h.example != "" {
		fmt.Fprintf(w, "\nEXAMPLES\n  %s\n", h.example)
	}
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n  ") + "\n"
}

// isHelp reports whether args ask for help.
func isHelp(args []string) bool {
	for _, a := range args {
		if a == "-h" || a == "-help" || a == "--help" {
			return true
		}
	}
	return false
}

// tokenFlag explains a flag that would carry a token as its value, which
// pat-action never takes, or returns "" for any other argument.
func tokenFlag(args []string) string {
	for _, a := range args {
		if a == "--" {
			return ""
		}
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") {
			continue
		}
		switch name {
		case "token":
			return "--token: tokens are never flag values (they would show in process listings and shell history): set PAT_ACTION_TOKEN, GH_TOKEN or GITHUB_TOKEN, or pass --token-file FILE (- reads stdin)"
		case "admin-token":
			return "--admin-token: tokens are never flag values (they would show in process listings and shell history): set PAT_ACTION_ADMIN_TOKEN, or pass --admin-token-file FILE (- reads stdin)"
		case "previous-token":
			return "--previous-token: tokens are never flag values (they would show in process listings and shell history): set PAT_ACTION_PREVIOUS_TOKEN, or pass --previous-token-file FILE (- reads stdin)"
		case "state-key":
			return "--state-key: keys are never flag values (they would show in process listings and shell history): set PAT_ACTION_STATE_KEY, or pass --state-key-file FILE (- reads stdin)"
		}
	}
	return ""
}

// usageFor is an input's help for one command: audit reads its targets
// where store and rotate write them.
func usageFor(in input, command string) string {
	switch {
	case in.name == "concurrency" && command == "audit":
		return "how many targets are read at once, 1 to 100 (default 20; with shard i/n, at most 100/n, the default too)"
	case in.name == "repositories" && command == "check":
		return "owner/repo list: the token must reach each"
	case in.name == "repositories" && command == "store":
		return "owner/repo list: the secret goes to each (action default: the workflow's repository)"
	case in.name == "organization" && command == "store":
		return "an organization secret instead of repository secrets"
	case in.name == "app-id" && (command == "rotate" || command == "audit"):
		return "the GitHub App that a plan's github-app sources with input: app mint with (CLI also PAT_ACTION_APP_ID)"
	case in.name == "organization" && command == "audit":
		return "audit every repository secret of this organization (with max-age) instead of a plan"
	}
	return in.usage
}
