package rotate

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-github/v45/github"
	"golang.org/x/crypto/ssh"

	"github.com/pat-action/pat-action/appauth"
	"github.com/pat-action/pat-action/ghclient"
	"github.com/pat-action/pat-action/plan"
	"github.com/pat-action/pat-action/policy"
	"github.com/pat-action/pat-action/token"
)

// Check holds what a plan's sources need from the environment to it
// before any request: every token source's token (its environment variable,
// or the token the run was given, for input: token) is set and looks like a
// token, and every GitHub App (the plan's, or the run's for input: app) is
// named and its private key is readable and parses. It returns every
// problem, each naming the secret.
func Check(p *plan.Plan, g Given, getenv func(string) string, readFile func(string) ([]byte, error)) error {
	if g.SetToken == "" {
		g.SetToken = "set the action's token input to the new token, or on the command line PAT_ACTION_TOKEN, GH_TOKEN or --token-file"
	}
	if g.SetAppID == "" {
		g.SetAppID = "set the action's client-id (or app-id) input, or on the command line PAT_ACTION_CLIENT_ID or PAT_ACTION_APP_ID"
	}
	if g.SetAppKey == "" {
		g.SetAppKey = "set the action's private-key input, or on the command line PAT_ACTION_APP_PRIVATE_KEY or --app-private-key-file"
	}
	if readFile == nil {
		readFile = func(string) ([]byte, error) { return nil, errors.New("no file reader") }
	}
	var errs []error
	for _, s := range p.Secrets {
		switch s.Source.Type {
		case plan.SourceToken:
			if err := checkSourceToken(s, sourceToken(s.Source, g.Token, getenv), g.SetToken); err != nil {
				errs = append(errs, fmt.Errorf("secret %s: %w", s.Name, err))
			}
			if _, err := tokenPolicy(s.Policy); err != nil {
				errs = append(errs, fmt.Errorf("secret %s: policy: %w", s.Name, err))
			}
		case plan.SourceGitHubApp:
			if _, err := appIssuer(s.Source, g.App, getenv); err != nil {
				errs = append(errs, fmt.Errorf("secret %s: %w", s.Name, hint(s.Source, err, g.SetAppID)))
			}
			if _, err := appKey(s.Source, g.App, getenv, readFile); err != nil {
				errs = append(errs, fmt.Errorf("secret %s: %w", s.Name, hint(s.Source, err, g.SetAppKey)))
			}
		}
	}
	return errors.Join(errs...)
}

// sourceToken is a token source's token: its environment variable's value,
// or runToken, the token the run was given, for input: token.
func sourceToken(src plan.Source, runToken string, getenv func(string) string) string {
	if src.Input == plan.InputToken {
		return runToken
	}
	return getenv(src.Env)
}

// origin says where a token source's token comes from, for messages.
func origin(s plan.Source) string {
	if s.Input == plan.InputToken {
		return "the run's token (input: " + plan.InputToken + ")"
	}
	return "environment variable " + s.Env
}

// checkSourceToken says what is wrong with a token source's token before
// any request, and what to set instead.
func checkSourceToken(s plan.Secret, tok, set string) error {
	if s.Source.Input != plan.InputToken {
		if tok == "" {
			return fmt.Errorf("environment variable %s (its token source) is not set", s.Source.Env)
		}
		if err := token.CheckFormat(tok); err != nil {
			return fmt.Errorf("token in %s: %w", s.Source.Env, err)
		}
		return nil
	}
	if tok == "" {
		return fmt.Errorf("its token source takes the run's token (input: %s), and the run was given none: %s", plan.InputToken, set)
	}
	if err := token.CheckFormat(tok); err != nil {
		return fmt.Errorf("the run's token (input: %s): %w", plan.InputToken, err)
	}
	// The token input defaults to the workflow's GITHUB_TOKEN, an
	// installation token that dies with the job: never propagate it by
	// accident.
	if typ, _ := token.Classify(tok); typ == token.App && !slices.Contains(s.Policy.AllowedTokenTypes, token.App) {
		return fmt.Errorf("the run's token (input: %s) is an installation token (ghs_), such as the workflow's GITHUB_TOKEN that the token input defaults to, and lives an hour: %s", plan.InputToken, set)
	}
	return nil
}

// tokenPolicy is the policy a plan gives a token source, with check's
// defaults (min-days-left 7) where the plan is silent.
func tokenPolicy(ps plan.PolicySpec) (policy.Policy, error) {
	p := ps.Policy()
	return p, p.Validate()
}

// tokenSecret validates a person's token against the secret's policy and,
// only if it passes, propagates it to every target (idempotent). A token in
// its warning window is reported and, with open-issue, a reminder issue is
// opened or updated; a fresh token closes it.
func (r *run) tokenSecret(ctx context.Context, s plan.Secret, targets []Target, src *SourceResult) {
	tok := sourceToken(s.Source, r.o.Token, r.o.Getenv)
	if tok != "" {
		r.o.Mask(tok)
	}
	res, info, err := r.checkToken(ctx, s, tok)
	if err != nil {
		r.problem("secret:"+s.Name, err)
		return
	}
	src.Token, src.Policy = &info, &res
	if s.OpenIssue && res.Expiry != "" && r.o.Shard.Has(reminderKey(s)) {
		if r.o.Repository == "" {
			// Said, not skipped: the user asked for reminders.
			res.Add(policy.Rule{Name: "open-issue", Status: policy.StatusWarn,
				Message: "no repository to open the reminder issue in: set GITHUB_REPOSITORY=owner/repo (a workflow sets it)"})
		} else {
			r.reminder(ctx, s, info, res)
		}
	}
	if !res.Passed {
		r.problem("secret:"+s.Name, fmt.Errorf("%w: nothing written for %s", ErrPolicy, s.Name))
		return
	}
	expires := "never"
	if info.ExpiresAt != nil {
		expires = info.ExpiresAt.UTC().Format(time.RFC3339)
	}
	r.known(s, plan.VariableExpiresAt, expires)
	if len(targets) == 0 {
		return
	}
	if targets, err = r.tokenTargets(ctx, s, targets, tok); err != nil {
		r.problem("secret:"+s.Name, err)
		return
	}
	if len(targets) == 0 {
		return
	}
	src.Rotated = true
	r.write(ctx, s, targets, []byte(tok))
}

// checkToken reads what tok is with one request (two with repositories to
// reach) and holds it against the secret's policy.
func (r *run) checkToken(ctx context.Context, s plan.Secret, tok string) (policy.Result, token.Info, error) {
	p, err := tokenPolicy(s.Policy)
	if err != nil {
		return policy.Result{}, token.Info{}, fmt.Errorf("policy of %s: %w", s.Name, err)
	}
	if err := token.CheckFormat(tok); err != nil {
		return policy.Result{}, token.Info{}, fmt.Errorf("token of %s (from %s): %w", s.Name, origin(s.Source), err)
	}
	c := r.o.NewClient(tok)
	typ, _ := token.Classify(tok)
	info, err := token.Inspect(ctx, c, tok, typ != token.App)
	if err != nil {
		if errors.Is(err, token.ErrInvalid) {
			info.Type = typ
			res := policy.Result{MissingScopes: []string{}, ExcessScopes: []string{}, ForbiddenScopes: []string{}}
			res.Add(policy.Rule{Name: "token", Status: policy.StatusFail, Message: "invalid, expired or revoked token (401 Bad credentials)"})
			return res, info, nil
		}
		return policy.Result{}, info, fmt.Errorf("check token of %s: %w", s.Name, err)
	}
	res := policy.Evaluate(p, info, r.o.Now())
	for _, full := range s.Policy.Repositories {
		owner, name, _ := strings.Cut(full, "/")
		if err := token.Reach(ctx, c, owner, name); err != nil {
			res.Add(policy.Rule{Name: "repositories", Status: policy.StatusFail, Message: err.Error()})
			continue
		}
		res.Add(policy.Rule{Name: "repositories", Status: policy.StatusPass, Message: "reaches " + full})
	}
	return res, info, nil
}

// randomSecret writes one new random value, made for this run, to every
// target when a target's value is missing or older than the max age, when
// the targets hold different generations (per the rotation state: a run
// failed or was killed half-way), or with Force; else it leaves them all.
func (r *run) randomSecret(ctx context.Context, s plan.Secret, targets []Target, src *SourceResult) {
	rotate, _, _ := r.decide(ctx, s, targets, src)
	if !rotate {
		r.unchanged(s, targets)
		return
	}
	if !r.begin(ctx, s) {
		return
	}
	// One value for every target: those that read the secret share it, so
	// a target that is due (missing, too old, or left behind by a failed
	// run) makes a new value for all of them.
	value, err := randomValue(s.Source.Bytes, s.Source.Encoding)
	if err != nil {
		r.problem("secret:"+s.Name, fmt.Errorf("make a random value for %s: %w", s.Name, err))
		return
	}
	r.o.Mask(value)
	src.Rotated = true
	r.write(ctx, s, targets, []byte(value))
}

// randomValue is n bytes from crypto/rand in the encoding.
func randomValue(n int, encoding string) (string, error) {
	if n <= 0 {
		n = plan.DefaultRandomBytes
	}
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	switch encoding {
	case plan.EncodingBase64:
		return base64.StdEncoding.EncodeToString(b), nil
	case plan.EncodingBase64URL:
		return base64.RawURLEncoding.EncodeToString(b), nil
	case plan.EncodingHex, "":
		return hex.EncodeToString(b), nil
	}
	return "", fmt.Errorf("unknown encoding %q", encoding)
}

// appSecret mints a fresh installation token every run and writes it to
// every target.
func (r *run) appSecret(ctx context.Context, s plan.Secret, targets []Target, src *SourceResult) {
	tok, err := r.mint(ctx, s)
	if err != nil {
		r.problem("secret:"+s.Name, err)
		return
	}
	if tok != "" {
		r.o.Mask(tok)
	}
	src.Rotated = true
	if r.o.DryRun && tok == "" {
		tok = "dry-run" // never written: the writer only reads in a dry run
	}
	r.write(ctx, s, targets, []byte(tok))
}

// appIssuer is the issuer of a github-app source's JWT: the App's ID or
// client ID, as the plan gives it, from the environment variable it names,
// or the run's App's for input: app. GitHub takes either.
func appIssuer(src plan.Source, app App, getenv func(string) string) (string, error) {
	switch {
	case src.Input == plan.InputApp:
		if app.Issuer == "" {
			return "", fmt.Errorf("%w, and the run was given no App ID or client ID", errRunApp)
		}
		return app.Issuer, nil
	case src.AppIDEnv != "":
		v := strings.TrimSpace(getenv(src.AppIDEnv))
		if v == "" {
			return "", fmt.Errorf("environment variable %s (the app's ID) is not set", src.AppIDEnv)
		}
		if id, err := strconv.ParseInt(v, 10, 64); err != nil || id <= 0 {
			return "", fmt.Errorf("environment variable %s is not an App ID (a number above 0): for a client ID use client-id-env", src.AppIDEnv)
		}
		return v, nil
	case src.ClientIDEnv != "":
		v := strings.TrimSpace(getenv(src.ClientIDEnv))
		if v == "" {
			return "", fmt.Errorf("environment variable %s (the app's client ID) is not set", src.ClientIDEnv)
		}
		return v, nil
	case src.ClientID != "":
		return src.ClientID, nil
	case src.AppID > 0:
		return strconv.FormatInt(src.AppID, 10), nil
	}
	return "", errors.New("no app: set app-id, client-id, app-id-env or client-id-env")
}

// appKey reads and parses a github-app source's RSA private key, the run's
// App's for input: app.
func appKey(src plan.Source, app App, getenv func(string) string, readFile func(string) ([]byte, error)) (*rsa.PrivateKey, error) {
	return appKeyMasked(src, app, getenv, readFile, func(string) {})
}

// appKeyMasked is appKey, calling mask with the key's PEM text as soon as
// it is read, before it is parsed or could show in an error.
func appKeyMasked(src plan.Source, app App, getenv func(string) string, readFile func(string) ([]byte, error), mask func(string)) (*rsa.PrivateKey, error) {
	var pemBytes []byte
	switch {
	case src.Input == plan.InputApp:
		if app.Key == "" {
			return nil, fmt.Errorf("%w, and the run was given no private key", errRunApp)
		}
		pemBytes = []byte(app.Key)
	case src.PrivateKeyEnv != "":
		v := getenv(src.PrivateKeyEnv)
		if v == "" {
			return nil, fmt.Errorf("environment variable %s (the app's private key) is not set", src.PrivateKeyEnv)
		}
		pemBytes = []byte(v)
	case src.PrivateKeyFile != "":
		b, err := readFile(src.PrivateKeyFile)
		if err != nil {
			return nil, fmt.Errorf("read the app's private key: %w", err)
		}
		pemBytes = b
	default:
		return nil, errors.New("no private key: set private-key-env or private-key-file")
	}
	mask(string(pemBytes))
	key, err := appauth.ParseKey(pemBytes)
	if err != nil && src.Input == plan.InputApp {
		return nil, fmt.Errorf("the run's App (input: %s): %w", plan.InputApp, err)
	}
	return key, err
}

// mint makes an installation token for a github-app source: a JWT signed
// with the app's key authenticates as the app, which finds its installation
// and asks for a token narrowed to the plan's permissions and repositories.
// In a dry run it finds the installation but mints nothing.
func (r *run) mint(ctx context.Context, s plan.Secret) (string, error) {
	src := s.Source
	key, err := appKeyMasked(src, r.o.App, r.o.Getenv, r.o.ReadFile, r.o.Mask)
	if err != nil {
		return "", fmt.Errorf("mint a token for %s: %w", s.Name, err)
	}
	iss, err := appIssuer(src, r.o.App, r.o.Getenv)
	if err != nil {
		return "", fmt.Errorf("mint a token for %s: %w", s.Name, err)
	}
	signed, err := appauth.JWT(iss, key, r.o.Now())
	if err != nil {
		return "", fmt.Errorf("mint a token for %s: %w", s.Name, err)
	}
	r.o.Mask(signed)
	c := r.o.NewClient(signed)
	id, err := appauth.FindInstallation(ctx, c, src.Installation)
	if err != nil {
		return "", fmt.Errorf("find the installation of app %s on %s for %s: %w", iss, src.Installation, s.Name, err)
	}
	if r.o.DryRun {
		return "", nil
	}
	tok, err := appauth.Mint(ctx, c, id, src.Permissions, src.Repositories)
	if err != nil {
		return "", fmt.Errorf("mint a token for %s from installation %d: %w", s.Name, id, err)
	}
	return tok, nil
}

// DeployKeyTarget starts the target of a deploy key's registration in a
// result ("deploy-key:acme/infra"): a key, not a secret.
const DeployKeyTarget = "deploy-key:"

// titlePrefix starts the title of every deploy key pat-action registers for
// secret name, so that it finds its own keys again.
func titlePrefix(name string) string { return "pat-action " + name + " " }

// deployKeySecret rotates a deploy key make-before-break: a new ed25519
// pair, the public half registered on the source repository first, the
// private half written to every target, and only when every write succeeded
// are the secret's previous keys deleted. It rotates when a target's value
// is missing or older than the max age, when the secret has no key or more
// than one (an unfinished rotation), or with Force.
func (r *run) deployKeySecret(ctx context.Context, s plan.Secret, targets []Target, src *SourceResult) {
	owner, repo, _ := strings.Cut(s.Source.Repository, "/")
	keyTarget := DeployKeyTarget + s.Source.Repository
	old, err := r.ourKeys(ctx, owner, repo, s.Name)
	if err != nil {
		r.problem(keyTarget, err)
		return
	}
	rotate, fresh, ok := r.decide(ctx, s, targets, src)
	if !ok {
		return // some ages unreadable: reported; rotating now could strand a target
	}
	if !rotate && len(old) == 1 {
		r.unchanged(s, fresh)
		r.known(s, plan.VariablePublicKey, old[0].GetKey())
		return
	}
	if !r.begin(ctx, s) {
		return
	}
	pub, priv, err := newDeployKey()
	if err != nil {
		r.problem(keyTarget, fmt.Errorf("make a deploy key for %s: %w", s.Name, err))
		return
	}
	r.o.Mask(priv)
	src.Rotated = true
	title := titlePrefix(s.Name) + r.o.Now().UTC().Format(time.RFC3339)
	if r.o.DryRun {
		r.add(SecretResult{Target: keyTarget, Name: title, Result: "would-create"})
	} else {
		k, err := r.registerKey(ctx, owner, repo, s.Name, &github.Key{Title: &title, Key: &pub, ReadOnly: github.Bool(s.Source.ReadOnly)})
		if err != nil {
			r.problem(keyTarget, fmt.Errorf("register deploy key %q on %s: %w; nothing written", title, s.Source.Repository, err))
			return
		}
		r.add(SecretResult{Target: keyTarget, Name: title, Result: "created"})
		old = slices.DeleteFunc(old, func(o *github.Key) bool { return o.GetID() == k.GetID() })
	}
	if r.write(ctx, s, targets, []byte(priv)) {
		r.known(s, plan.VariablePublicKey, pub)
	} else {
		for _, k := range old {
			r.problem(keyTarget, fmt.Errorf("kept the previous deploy key %q: not every target holds the new key; run again to finish", k.GetTitle()))
		}
		return
	}
	for _, k := range old {
		if r.o.DryRun {
			r.add(SecretResult{Target: keyTarget, Name: k.GetTitle(), Result: "would-delete"})
			continue
		}
		if _, err := r.o.Client.Repositories.DeleteKey(ctx, owner, repo, k.GetID()); err != nil {
			r.problem(keyTarget, fmt.Errorf("delete the previous deploy key %q: %w", k.GetTitle(), err))
			continue
		}
		r.add(SecretResult{Target: keyTarget, Name: k.GetTitle(), Result: "deleted"})
	}
}

// ourKeys lists the deploy keys pat-action registered for secret name.
func (r *run) ourKeys(ctx context.Context, owner, repo, name string) ([]*github.Key, error) {
	var out []*github.Key
	what := fmt.Sprintf("list deploy keys of %s/%s", owner, repo)
	err := ghclient.EachPage(what, func(page int) (*github.Response, error) {
		keys, resp, err := r.o.Client.Repositories.ListKeys(ctx, owner, repo, &github.ListOptions{PerPage: 100, Page: page})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		for _, k := range keys {
			if strings.HasPrefix(k.GetTitle(), titlePrefix(name)) {
				out = append(out, k)
			}
		}
		return resp, nil
	})
	return out, err
}

// newDeployKey makes an ed25519 key pair: the public half in
// authorized_keys form, the private half as an OpenSSH PEM block.
func newDeployKey() (pub, priv string, err error) {
	pk, sk, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", "", err
	}
	sp, err := ssh.NewPublicKey(pk)
	if err != nil {
		return "", "", err
	}
	block, err := ssh.MarshalPrivateKey(sk, "")
	if err != nil {
		return "", "", err
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sp))), string(pem.EncodeToMemory(block)), nil
}
