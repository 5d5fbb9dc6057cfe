package app

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/pat-action/pat-action/emulator"
)

// demoCase is one command the demo runs, and the exit code it must give.
type demoCase struct {
	title   string
	command string
	inputs  values
	token   string
	// admin writes the secrets; empty means token.
	admin string
	want  int
}

// runDemo starts the emulator on loopback and runs the product against it,
// printing each report. It fails when any case does not behave as it must.
func (rt runtime) runDemo(ctx context.Context) int {
	now := rt.now()
	emu := emulator.New(emulator.Options{Now: rt.now})
	srv, apiURL := emu.Start()
	defer srv.Close()
	for _, org := range []string{"acme"} {
		emu.AddOrg(org)
	}
	for _, name := range []string{"api", "web", "infra"} {
		emu.AddRepo(emulator.Repo{Owner: "acme", Name: name, Private: true, Environments: []string{"production"}})
	}
	mint := func(prefix string) string {
		b := make([]byte, 18)
		_, _ = rand.Read(b)
		return prefix + hex.EncodeToString(b)
	}
	least, broad, expiring, fine, admin := mint("ghp_"), mint("ghp_"), mint("ghp_"), mint("github_pat_"), mint("ghp_")
	emu.AddToken(emulator.Token{Value: least, Login: "octocat", Scopes: []string{"repo", "workflow"}, ExpiresAt: now.Add(60 * 24 * time.Hour)})
	emu.AddToken(emulator.Token{Value: broad, Login: "octocat", Scopes: []string{"repo", "workflow", "admin:org", "delete_repo"}, ExpiresAt: now.Add(60 * 24 * time.Hour)})
	emu.AddToken(emulator.Token{Value: expiring, Login: "octocat", Scopes: []string{"repo", "workflow"}, ExpiresAt: now.Add(3 * 24 * time.Hour)})
	emu.AddToken(emulator.Token{Value: fine, Login: "octocat", ExpiresAt: now.Add(30 * 24 * time.Hour),
		Repos: []string{"acme/api"}, Permissions: map[string]string{"metadata": "read", "secrets": "write"}})
	emu.AddToken(emulator.Token{Value: admin, Login: "acme-admin", Scopes: []string{"repo", "admin:org"}, ExpiresAt: now.Add(90 * 24 * time.Hour)})

	policyIn := values{"api-url": apiURL, "required-scopes": "repo,workflow", "min-days-left": "14"}
	cases := []demoCase{
		{"check: a least-privilege classic token", "check", policyIn, least, "", exitOK},
		{"check: an over-broad token (admin:org, delete_repo)", "check", policyIn, broad, "", exitPolicy},
		{"check: a token expiring in 3 days", "check", policyIn, expiring, "", exitPolicy},
		{"check: a fine-grained token, checked by repository reach", "check",
			values{"api-url": apiURL, "required-scopes": "repo", "repositories": "acme/api"}, fine, "", exitOK},
		{"store: the least-privilege token as repository secret DEMO_PAT of acme/api", "store",
			with(policyIn, values{"secret-name": "DEMO_PAT", "repositories": "acme/api"}), least, "", exitOK},
		{"store: ... as a secret of environment production of acme/web", "store",
			with(policyIn, values{"secret-name": "DEMO_PAT", "repositories": "acme/web", "environment": "production"}), least, "", exitOK},
		{"store: ... as an organization secret of acme for acme/api and acme/web (admin token writes)", "store",
			with(policyIn, values{"secret-name": "DEMO_PAT", "organization": "acme", "repositories": "acme/api,acme/web"}), least, admin, exitOK},
		{"store: the over-broad token is refused and written nowhere", "store",
			with(policyIn, values{"secret-name": "DEMO_BROAD", "repositories": "acme/api"}), broad, admin, exitPolicy},
	}
	failed := 0
	for _, c := range cases {
		fmt.Fprintf(rt.stdout, "\n== %s\n", c.title)
		in := values{}
		for k, v := range c.inputs {
			in[k] = v
		}
		adm := c.admin
		if adm == "" {
			adm = c.token
		}
		rep, err := rt.execute(ctx, c.command, in.withDefaults(), tokens{token: c.token, admin: adm})
		rep.writeText(rt.stdout)
		got := exitCode(err)
		verdict := "as expected"
		if got != c.want {
			verdict = "UNEXPECTED"
			failed++
			if err != nil {
				fmt.Fprintf(rt.stdout, "error: %v\n", err)
			}
		}
		fmt.Fprintf(rt.stdout, "exit %d (%s)\n", got, verdict)
	}
	failed += verifyStored(rt, emu, "DEMO_PAT", least, "repo:acme/api", "env:acme/web/production", "org:acme")
	if names := emu.SecretNames("repo:acme/api"); len(names) != 1 {
		fmt.Fprintf(rt.stdout, "acme/api holds secrets %v, want only DEMO_PAT\n", names)
		failed++
	}
	if unknown := emu.Unknown(); len(unknown) > 0 {
		fmt.Fprintf(rt.stdout, "\nrequests the emulator does not serve: %v\n", unknown)
		failed++
	}
	if failed > 0 {
		fmt.Fprintf(rt.stdout, "\ndemo: %d cases did not behave as expected\n", failed)
		return exitPartial
	}
	fmt.Fprintf(rt.stdout, "\ndemo: all %d cases behaved as expected (%d requests to the emulator)\n", len(cases), len(emu.Requests()))
	return exitOK
}

// with returns base with more inputs added, leaving base as it was.
func with(base, more values) values {
	out := values{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range more {
		out[k] = v
	}
	return out
}

// verifyStored reads what the emulator decrypted in each container and
// checks it is the token that was stored, printing which matched but never
// the value. It returns how many did not.
func verifyStored(rt runtime, emu *emulator.Server, name, tok string, containers ...string) int {
	fmt.Fprintf(rt.stdout, "\n== verify: the emulator decrypts %s in each target\n", name)
	failed := 0
	for _, c := range containers {
		got, ok := emu.SecretValue(c, name)
		switch {
		case !ok:
			fmt.Fprintf(rt.stdout, "  MISSING  %s\n", c)
			failed++
		case !bytes.Equal(got, []byte(tok)):
			fmt.Fprintf(rt.stdout, "  WRONG    %s holds a different value\n", c)
			failed++
		default:
			fmt.Fprintf(rt.stdout, "  ok       %s holds the token\n", c)
		}
	}
	return failed
}
