package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/pat-action/pat-action/ghclient"
	"github.com/pat-action/pat-action/internal/suggest"
)

const usageText = `Check GitHub tokens against a policy, store them as encrypted secrets, rotate and audit them.

USAGE
  pat-action COMMAND [flags]

COMMANDS
  check     read what the token is and hold it against the policy
  store     check, then write the token into every target as an encrypted secret
  rotate    run a rotation plan
  audit     report stale, missing or expiring secrets
  tokens    list every token that can reach an organization and hold it against a policy
  demo      run everything against the built-in GitHub API emulator
  version   print the version

The token comes from PAT_ACTION_TOKEN, GH_TOKEN or GITHUB_TOKEN (for an api-url not on
github.com or ghe.com, such as GitHub Enterprise Server, as gh: GH_ENTERPRISE_TOKEN or
GITHUB_ENTERPRISE_TOKEN), or --token-file (never a flag value). Run 'pat-action COMMAND --help' for a command's flags.

EXAMPLES
  $ GH_TOKEN=... pat-action check --required-scopes repo,workflow
  $ pat-action demo
`

// flagValue stores a flag into the inputs map under its input name.
type flagValue struct {
	v      values
	name   string
	isBool bool
}

func (f flagValue) String() string   { return "" }
func (f flagValue) IsBoolFlag() bool { return f.isBool }
func (f flagValue) Set(s string) error {
	f.v[f.name] = s
	return nil
}

// runCLI is the command-line front end: flags named like the inputs, human
// text on stderr, the JSON report on stdout with --json.
func (rt runtime) runCLI(ctx context.Context, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(rt.stderr, usageText)
		return exitUsage
	}
	command := args[0]
	switch command {
	case "version", "--version":
		fmt.Fprintln(rt.stdout, "pat-action", Version)
		return exitOK
	case "help", "-h", "--help":
		fmt.Fprint(rt.stdout, usageText)
		return exitOK
	case "demo":
		if isHelp(args[1:]) {
			printHelp(rt.stdout, command, nil)
			return exitOK
		}
		if len(args) > 1 {
			return rt.usageFailed(command, wantsJSON(args[1:]), usagef("demo takes no flags or arguments"))
		}
		return rt.runDemo(ctx)
	}
	if !slices.Contains(commands, command) {
		return rt.usageFailed(command, wantsJSON(args[1:]), usagef("unknown command %q: want one of %s%s", command, strings.Join(commands, ", "), suggest.Hint(command, commands)))
	}
	if msg := tokenFlag(args[1:]); msg != "" {
		return rt.usageFailed(command, wantsJSON(args[1:]), usagef("%s", msg))
	}
	v := values{}
	fs := flag.NewFlagSet("pat-action "+command, flag.ContinueOnError)
	// Parse's errors are reported below, once, in the report's shape.
	fs.SetOutput(io.Discard)
	for _, in := range inputs {
		if in.actionOnly() || !in.usedBy(command) {
			continue
		}
		fs.Var(flagValue{v: v, name: in.name, isBool: in.bool}, in.name, usageFor(in, command)+defaultNote(in))
	}
	fs.Usage = func() {}
	asJSON := fs.Bool("json", false, "print the JSON report on stdout")
	tokenFile := fs.String("token-file", "", "read the token from `FILE` (- for stdin)")
	adminFile := fs.String("admin-token-file", "", "read the admin token from `FILE` (- for stdin)")
	var files secretFiles
	switch command {
	case "store":
		fs.StringVar(&files.previous, "previous-token-file", "", "read the token being replaced from `FILE` (- for stdin): revoked once every target holds the new one")
	case "rotate", "audit", "tokens":
		fs.StringVar(&files.appKey, "app-private-key-file", "", "read the GitHub App's private key (PEM) from `FILE`")
	}
	if command == "rotate" || command == "audit" {
		fs.StringVar(&files.stateKey, "state-key-file", "", "read the state key, which signs the rotation state, from `FILE` (- for stdin)")
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printHelp(rt.stdout, command, fs)
			return exitOK
		}
		return rt.usageFailed(command, wantsJSON(args[1:]), asUsage(fmt.Errorf("%w; run 'pat-action %s --help' for its flags", err, command)))
	}
	if fs.NArg() > 0 {
		// Not echoed: a stray argument is all too often a pasted token.
		return rt.usageFailed(command, *asJSON, usagef("unexpected argument (not shown); flags only, and tokens are never arguments: use PAT_ACTION_TOKEN or --token-file"))
	}
	files.token, files.admin = *tokenFile, *adminFile
	if err := oneStdin(files, v.str("repositories-file")); err != nil {
		return rt.usageFailed(command, *asJSON, err)
	}
	toks, err := rt.cliTokens(files, v.str("api-url"))
	rt.unsent = toks.unsent
	for _, t := range []string{toks.token, toks.admin, toks.previous, toks.appKey, toks.stateKey} {
		rt.mask(t)
	}
	if err != nil {
		return rt.usageFailed(command, *asJSON, asUsage(err))
	}
	if command == "tokens" || command == "rotate" || command == "audit" {
		for name, env := range map[string]string{"app-id": "PAT_ACTION_APP_ID", "client-id": "PAT_ACTION_CLIENT_ID"} {
			if _, ok := v[name]; !ok && rt.getenv(env) != "" {
				v[name] = rt.getenv(env)
			}
		}
	}
	rep, err := rt.execute(ctx, command, v.withDefaults(), toks)
	code := exitCode(err)
	if code == exitUsage {
		return rt.usageFailed(command, *asJSON, err)
	}
	rep.writeText(rt.stderr)
	if *asJSON {
		rep.setError(err)
		if werr := rep.writeJSON(rt.stdout); werr != nil {
			fmt.Fprintf(rt.stderr, "pat-action %s: write report: %v\n", command, werr)
		}
	}
	if err != nil && !rep.tells(err) {
		fmt.Fprintf(rt.stderr, "pat-action %s: %v\n", command, err)
	}
	return code
}

// commands are pat-action's commands (the action's modes): a command
// execute runs must be listed here, or both front ends refuse it.
var commands = []string{"check", "store", "rotate", "audit", "tokens", "demo", "version"}

// usageFailed reports bad input: on stderr, and with --json as a JSON
// error object on stdout, in the report's shape. It returns exit 2.
func (rt runtime) usageFailed(command string, asJSON bool, err error) int {
	fmt.Fprintf(rt.stderr, "pat-action %s: %v\n", command, err)
	if asJSON {
		if werr := writeErrorJSON(rt.stdout, err); werr != nil {
			fmt.Fprintf(rt.stderr, "pat-action %s: write report: %v\n", command, werr)
		}
	}
	return exitUsage
}

// wantsJSON reports whether args ask for the JSON report, for errors found
// before the flags are parsed or when they do not parse.
func wantsJSON(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-json", "--json", "-json=true", "--json=true", "--json=1", "-json=1":
			return true
		}
	}
	return false
}

func defaultNote(in input) string {
	if in.def == "" || in.bool {
		return ""
	}
	return " (default " + in.def + ")"
}

// usedBy reports whether command reads the input.
func (in input) usedBy(command string) bool {
	if len(in.cmds) == 0 {
		return true
	}
	for _, c := range in.cmds {
		if c == command {
			return true
		}
	}
	return false
}

// secretFiles are the files the CLI reads secrets from, by flag.
type secretFiles struct {
	token, admin, previous, appKey, stateKey string
}

// tokenEnv is where the CLI looks for the token, in order, as gh does:
// GH_TOKEN and GITHUB_TOKEN are github.com's (and ghe.com's), so for a
// GitHub Enterprise Server api-url, or any other server, they give way to
// GH_ENTERPRISE_TOKEN and GITHUB_ENTERPRISE_TOKEN: a token exported for
// github.com is never sent to another server.
func tokenEnv(enterprise bool) []string {
	if enterprise {
		return []string{"PAT_ACTION_TOKEN", "GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN"}
	}
	return []string{"PAT_ACTION_TOKEN", "GH_TOKEN", "GITHUB_TOKEN"}
}

// githubCom reports whether api is github.com's as gh reads a host: not a
// GitHub Enterprise Server (/api/v3), and a host under github.com, a
// GHE.com tenant's (under ghe.com, as api.acme.ghe.com), or this machine's
// (the built-in emulator). Any other host is another server.
func githubCom(api ghclient.API) bool {
	host := strings.ToLower(api.URL.Hostname())
	return !api.GHES && (host == "github.com" || strings.HasSuffix(host, ".github.com") || strings.HasSuffix(host, ".ghe.com") || ghclient.IsLoopback(host))
}

// cliTokens reads the tokens from their files or the environment, never
// from flag values, where they would show in process listings and shell
// history. apiURL picks the environment variables, as gh's host does; a
// bad one is reported later, with the other inputs.
func (rt runtime) cliTokens(f secretFiles, apiURL string) (tokens, error) {
	var t tokens
	var err error
	if f.previous != "" {
		if t.previous, err = rt.readSecretFile(f.previous); err != nil {
			return t, fmt.Errorf("--previous-token-file: %w", err)
		}
	} else {
		t.previous = rt.getenv("PAT_ACTION_PREVIOUS_TOKEN")
	}
	if f.appKey != "" {
		b, err := rt.readFile(f.appKey)
		if err != nil {
			return t, fmt.Errorf("--app-private-key-file: %w", err)
		}
		t.appKey = string(b)
	} else {
		t.appKey = rt.getenv("PAT_ACTION_APP_PRIVATE_KEY")
	}
	if f.stateKey != "" {
		if t.stateKey, err = rt.readSecretFile(f.stateKey); err != nil {
			return t, fmt.Errorf("--state-key-file: %w", err)
		}
		if t.stateKey == "" {
			// Asked for a key and given none: running unsigned would
			// write an unsigned state over the signed one.
			return t, usagef("--state-key-file: the file is empty; want the state key (32 to 1024 bytes), or leave the flag out to keep the state unsigned")
		}
	} else {
		t.stateKey = rt.getenv("PAT_ACTION_STATE_KEY")
	}
	tokenFile, adminFile := f.token, f.admin
	if tokenFile != "" {
		if t.token, err = rt.readSecretFile(tokenFile); err != nil {
			return t, fmt.Errorf("--token-file: %w", err)
		}
	} else {
		api, err := ghclient.ParseAPIURL(apiURL)
		enterprise := err == nil && !githubCom(api)
		for _, name := range tokenEnv(enterprise) {
			if t.token = rt.getenv(name); t.token != "" {
				break
			}
		}
		if t.token == "" && enterprise {
			server := api.URL.Host + ", which is not github.com"
			if api.GHES {
				server = "the GitHub Enterprise Server " + api.URL.Host
			}
			// Said only if the run needs the token: a run on its admin
			// token alone goes on.
			for _, name := range tokenEnv(false)[1:] {
				if rt.getenv(name) != "" {
					t.unsent = fmt.Sprintf("%s is set, but it is for github.com (as gh reads it) and is not sent to %s: set GH_ENTERPRISE_TOKEN or PAT_ACTION_TOKEN to that server's token, or pass --token-file FILE", name, server)
					break
				}
			}
		}
	}
	if adminFile != "" {
		if t.admin, err = rt.readSecretFile(adminFile); err != nil {
			return t, fmt.Errorf("--admin-token-file: %w", err)
		}
	} else {
		t.admin = rt.getenv("PAT_ACTION_ADMIN_TOKEN")
	}
	return t, nil
}

// oneStdin refuses "-" (standard input) for more than one file: the first
// would read all of it and the second nothing.
func oneStdin(files secretFiles, reposFile string) error {
	var flags []string
	for _, f := range []struct{ flag, value string }{
		{"--token-file", files.token}, {"--admin-token-file", files.admin}, {"--previous-token-file", files.previous}, {"--repositories-file", reposFile},
		{"--state-key-file", files.stateKey},
	} {
		if strings.TrimSpace(f.value) == "-" {
			flags = append(flags, f.flag)
		}
	}
	if len(flags) > 1 {
		return usagef("%s all read standard input (-): only one of them can; give the others a file", strings.Join(flags, " and "))
	}
	return nil
}

// readSecretFile reads a token file, dropping one trailing newline as
// editors and `echo` leave it.
func (rt runtime) readSecretFile(name string) (string, error) {
	var b []byte
	var err error
	if name == "-" {
		b, err = io.ReadAll(io.LimitReader(rt.stdin, 1<<20))
	} else {
		b, err = os.ReadFile(name)
	}
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r"), nil
}
