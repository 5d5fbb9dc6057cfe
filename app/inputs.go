package app

import (
	"bytes"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/pat-action/pat-action/ghclient"
	"github.com/pat-action/pat-action/secrets"
)

// input is one input of the action, which is also the CLI flag of the same
// name. Both front ends read the same table, so they cannot drift apart.
type input struct {
	name  string
	def   string // the CLI default; the action's defaults live in action.yml
	bool  bool
	usage string
	// cmds are the commands that read it; empty means all of them.
	cmds []string
}

// inputs are every input pat-action reads. Tokens are inputs of the action
// only: on the command line they come from the environment or a file.
var inputs = []input{
	{name: "mode", def: "check", usage: "the command: check, store, rotate, audit, tokens, demo or version (action only)"},
	{name: "token", usage: "the token to check and store, and of plan token sources with input: token (action only; CLI: PAT_ACTION_TOKEN, GH_TOKEN, GITHUB_TOKEN or --token-file)"},
	{name: "admin-token", usage: "the token that writes secrets; for tokens, a GitHub App installation token (action only; CLI: PAT_ACTION_ADMIN_TOKEN or --admin-token-file)"},
	{name: "previous-token", usage: "the token being replaced: revoked once every target holds the new one (action only; CLI: PAT_ACTION_PREVIOUS_TOKEN or --previous-token-file)", cmds: []string{"store"}},
	{name: "private-key", usage: "the GitHub App's private key (PEM), with app-id or client-id: tokens mints the admin token with it, and a plan's github-app sources with input: app mint theirs (action only; CLI: PAT_ACTION_APP_PRIVATE_KEY or --app-private-key-file)", cmds: []string{"rotate", "audit", "tokens"}},
	{name: "app-id", usage: "the GitHub App whose installation on the organization lists its tokens (CLI also PAT_ACTION_APP_ID)", cmds: []string{"rotate", "audit", "tokens"}},
	{name: "client-id", usage: "the GitHub App's client id, instead of app-id (CLI also PAT_ACTION_CLIENT_ID)", cmds: []string{"rotate", "audit", "tokens"}},
	{name: "api-url", def: "https://api.github.com", usage: "GitHub API base URL, or https://HOST/api/v3 for GHES"},
	{name: "dry-run", bool: true, usage: "contact GitHub read-only and report what would be written, revoked or denied", cmds: []string{"store", "rotate", "tokens"}},
	{name: "required-scopes", usage: "scopes the token must have", cmds: []string{"check", "store"}},
	{name: "allowed-scopes", usage: "the most the token may have (default: required-scopes)", cmds: []string{"check", "store"}},
	{name: "forbidden-scopes", usage: "scopes the token must not have, directly or through a parent", cmds: []string{"check", "store", "tokens"}},
	{name: "min-days-left", def: "7", usage: "fail if the token expires within this many days (0 to 3650); warn at twice that", cmds: []string{"check", "store", "tokens"}},
	{name: "max-lifetime-days", usage: "fail if the token expires more than this many days from now (1 to 3650), or never", cmds: []string{"check", "store", "tokens"}},
	{name: "require-expiration", bool: true, usage: "fail if the token never expires", cmds: []string{"check", "store", "tokens"}},
	{name: "allowed-token-types", usage: "any of classic, fine-grained, oauth, app, user-to-server (default all)", cmds: []string{"check", "store", "tokens"}},
	{name: "forbidden-permissions", usage: "fine-grained permissions no token may hold: NAME:read forbids any access, NAME:write forbids write", cmds: []string{"tokens"}},
	{name: "max-idle-days", usage: "fail a token last used longer ago than this many days", cmds: []string{"tokens"}},
	{name: "enforce", def: "report", usage: "report, deny-requests (deny failing requests) or revoke (also revoke failing fine-grained PATs' access and remove failing classic PATs' SAML authorization)", cmds: []string{"tokens"}},
	{name: "max-revocations", def: "20", usage: "the most tokens, fine-grained and classic together, one run revokes without force", cmds: []string{"tokens"}},
	{name: "repositories", usage: "owner/repo list: the token must reach each (check); secrets go to each (store; action default: the workflow's repository)", cmds: []string{"check", "store"}},
	{name: "repositories-file", usage: "a file of owner/repo names, one a line (- for stdin; # comments), merged with repositories", cmds: []string{"check", "store"}},
	{name: "secret-name", usage: "the secret's name (required)", cmds: []string{"store"}},
	{name: "environment", usage: "with repositories: environment secrets in that environment of each repository", cmds: []string{"store"}},
	{name: "create-environment", bool: true, usage: "with environment: create the environment in a repository that lacks it, instead of failing with 404", cmds: []string{"store"}},
	{name: "organization", usage: "store: an organization secret instead; audit: audit every repository secret of this organization; tokens: the organization whose tokens to list; check: read a fine-grained token's permissions from it (with an App installation admin token)", cmds: []string{"check", "store", "audit", "tokens"}},
	{name: "visibility", usage: "for organization secrets: all, private or selected (default: selected when repositories are given, else private)", cmds: []string{"store"}},
	{name: "secret-type", def: "actions", usage: "actions, dependabot, codespaces or agents (Copilot agents; not on GHES)", cmds: []string{"store"}},
	{name: "update-repositories-only", bool: true, usage: "only replace which repositories may read an existing organization secret (visibility selected); the value is not sent", cmds: []string{"store"}},
	{name: "concurrency", usage: "how many targets are written at once, 1 to 100 (default 20; with shard i/n, at most 100/n, the default too)", cmds: []string{"store", "rotate", "audit"}},
	{name: "pacing", def: "auto", usage: "auto (on for github.com, split among shards; off for GHES), off, or a budget POINTS/WINDOW such as 900/1m", cmds: []string{"store", "rotate", "audit", "tokens"}},
	{name: "config", def: defaultConfig, usage: "the rotation plan", cmds: []string{"rotate", "audit"}},
	{name: "shard", def: "1/1", usage: "i/n: handle only the i-th of n deterministic slices of all targets", cmds: []string{"rotate", "audit"}},
	{name: "state-key", usage: "a key (32 to 1024 bytes, kept as a secret) that signs the rotation state, so a state forged in the repository's variables is ignored and prune may delete what a narrowed plan wrote (action only; CLI: PAT_ACTION_STATE_KEY or --state-key-file)", cmds: []string{"rotate", "audit"}},
	{name: "state-repository", usage: "owner/repo whose Actions variables keep the rotation state (default: $GITHUB_REPOSITORY, the repository that holds the plan)", cmds: []string{"rotate", "audit"}},
	{name: "force", bool: true, usage: "rotate: rotate even values younger than their max age; tokens: revoke more than max-revocations", cmds: []string{"rotate", "tokens"}},
	{name: "max-age", usage: "report secrets older than this, such as 90d (default: the plan's max-age)", cmds: []string{"audit"}},
}

// actionOnly inputs have no CLI flag.
func (in input) actionOnly() bool {
	switch in.name {
	case "mode", "token", "admin-token", "previous-token", "private-key", "state-key":
		return true
	}
	return false
}

// values are the raw input values a front end gathered, by input name.
type values map[string]string

func (v values) str(name string) string { return strings.TrimSpace(v[name]) }

func (v values) boolean(name string) (bool, error) {
	s := v.str(name)
	if s == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, usagef("%s %q: want true or false", name, s)
	}
	return b, nil
}

func (v values) integer(name string, def int) (int, error) {
	s := v.str(name)
	if s == "" {
		return def, nil
	}
	// Digits only, after an optional minus (for the range check to name):
	// Atoi's "+5" is no number a person writes in a workflow.
	n, err := strconv.Atoi(s)
	if err != nil || strings.HasPrefix(s, "+") {
		return 0, usagef("%s %q: want a whole number", name, s)
	}
	return n, nil
}

// list splits a comma- or newline-separated input, trimming and dropping
// empty entries.
func (v values) list(name string) []string {
	return splitList(v.str(name))
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' }) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// defaults fills CLI defaults for inputs not given.
func (v values) withDefaults() values {
	for _, in := range inputs {
		if _, ok := v[in.name]; !ok && in.def != "" {
			v[in.name] = in.def
		}
	}
	return v
}

// pacing reads the pacing input: auto (on for github.com, off for GHES),
// off, or a budget. The shards parallel jobs of a sharded run (shard i/n)
// spend one account's budget, so auto gives each 1/n of it; a budget given
// is taken as it is.
func pacing(v values, api ghclient.API, shards int) (ghclient.Pacing, error) {
	p, err := ghclient.ParsePacing(v.str("pacing"))
	if err != nil {
		return p, asUsage(err)
	}
	if !p.Auto {
		return p, nil
	}
	return p.Resolve(api.GHES).Share(shards), nil
}

// maxConcurrency is the most requests pat-action has in flight: GitHub
// allows at most 100 concurrent requests.
const maxConcurrency = 100

// concurrency reads the concurrency input: how many targets are written or
// read at once. The shards parallel jobs of a sharded run (shard i/n)
// share GitHub's 100 concurrent requests, so the default becomes 100/n
// when that is less, and a concurrency given that n jobs would exceed
// together is refused.
func concurrency(v values, shards int) (int, error) {
	share := max(maxConcurrency/shards, 1)
	if v.str("concurrency") == "" {
		return min(secrets.DefaultConcurrency, share), nil
	}
	n, err := v.integer("concurrency", secrets.DefaultConcurrency)
	if err != nil {
		return 0, err
	}
	if n < 1 || n > maxConcurrency {
		return 0, usagef("concurrency %d: want 1 to %d (GitHub allows at most %d concurrent requests)", n, maxConcurrency, maxConcurrency)
	}
	if n > share {
		return 0, usagef("concurrency %d with shard %s: %d parallel jobs would send up to %d requests at once, more than the %d GitHub allows; set concurrency to at most %d",
			n, v.str("shard"), shards, n*shards, maxConcurrency, share)
	}
	return n, nil
}

// throughput reads the concurrency and pacing inputs of a run that is one
// of shards parallel jobs; a paced client lets as many requests be in
// flight as targets are handled at once.
func throughput(v values, api ghclient.API, shards int) (int, ghclient.Pacing, error) {
	conc, err := concurrency(v, shards)
	if err != nil {
		return 0, ghclient.Pacing{}, err
	}
	p, err := pacing(v, api, shards)
	if err != nil {
		return 0, p, err
	}
	if !p.Off {
		p.Concurrent = conc
	}
	return conc, p, nil
}

// maxRepositoriesFile bounds a repositories file: 10,000 names take about
// 400 KB, and a file far larger is a wrong file, not a list.
const maxRepositoriesFile = 8 << 20

// withRepositoriesFile merges the repositories-file input's names into the
// repositories input: one owner/repo a line, blank lines and # comments
// ignored; "-" is standard input (CLI only). Each name is checked here, by
// its line, before any request.
func (rt runtime) withRepositoriesFile(v values) error {
	name := v.str("repositories-file")
	if name == "" {
		return nil
	}
	var data []byte
	var err error
	switch {
	case name == "-" && rt.action:
		return usagef("repositories-file -: a workflow step has no standard input; give the path of a file in the workspace")
	case name == "-":
		data, err = io.ReadAll(io.LimitReader(rt.stdin, maxRepositoriesFile+1))
	default:
		var f *os.File
		if f, err = os.Open(name); err == nil {
			data, err = io.ReadAll(io.LimitReader(f, maxRepositoriesFile+1))
			f.Close()
		}
	}
	if err != nil {
		return usagef("repositories-file %s: %v", name, err)
	}
	if len(data) > maxRepositoriesFile {
		return usagef("repositories-file %s: more than %d MB: want owner/repo names, one a line", name, maxRepositoriesFile>>20)
	}
	repos := v.list("repositories")
	// A Windows editor starts the file with a byte order mark (and ends
	// lines with CRLF, which TrimSpace drops).
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if _, _, err := secrets.ParseRepo(line); err != nil {
			return usagef("repositories-file %s:%d: %v", name, i+1, err)
		}
		repos = append(repos, line)
	}
	v["repositories"] = strings.Join(repos, "\n")
	return nil
}

// maxJob is the longest a job may run on GitHub's runners.
const maxJob = 6 * time.Hour

// pointsPerTarget is the least one target costs against the pacing budget:
// read its public key, write the secret.
const pointsPerTarget = ghclient.ReadCost + ghclient.WriteCost

// fitsJob refuses a pacing budget under which writing targets could not
// finish within a job's 6 hours, with the estimate: targets × points per
// target against the budget. The estimate is a lower bound (retries and
// listings come on top), so a budget it passes may still be tight.
func fitsJob(p ghclient.Pacing, targets int) error {
	if p.Off || p.Auto || p.Points <= 0 || p.Window <= 0 || targets == 0 {
		return nil
	}
	points := float64(targets) * pointsPerTarget
	seconds := points / float64(p.Points) * p.Window.Seconds()
	if seconds <= maxJob.Seconds() {
		return nil
	}
	return usagef("pacing %d/%s: %d targets × %d points each = %.0f points at %d points per %s take about %.1f hours, more than a job's 6 hours: raise the budget, or split the run with shard",
		p.Points, p.Window, targets, pointsPerTarget, points, p.Points, p.Window, seconds/3600)
}
