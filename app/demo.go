package app

import (
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
	want    int
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
	least, broad, expiring, fine := mint("ghp_"), mint("ghp_"), mint("ghp_"), mint("github_pat_")
	emu.AddToken(emulator.Token{Value: least, Login: "octocat", Scopes: []string{"repo", "workflow"}, ExpiresAt: now.Add(60 * 24 * time.Hour)})
	emu.AddToken(emulator.Token{Value: broad, Login: "octocat", Scopes: []string{"repo", "workflow", "admin:org", "delete_repo"}, ExpiresAt: now.Add(60 * 24 * time.Hour)})
	emu.AddToken(emulator.Token{Value: expiring, Login: "octocat", Scopes: []string{"repo", "workflow"}, ExpiresAt: now.Add(3 * 24 * time.Hour)})
	emu.AddToken(emulator.Token{Value: fine, Login: "octocat", ExpiresAt: now.Add(30 * 24 * time.Hour),
		Repos: []string{"acme/api"}, Permissions: map[string]string{"metadata": "read", "secrets": "write"}})

	policyIn := values{"api-url": apiURL, "required-scopes": "repo,workflow", "min-days-left": "14"}
	cases := []demoCase{
		{"check: a least-privilege classic token", "check", policyIn, least, exitOK},
		{"check: an over-broad token (admin:org, delete_repo)", "check", policyIn, broad, exitPolicy},
		{"check: a token expiring in 3 days", "check", policyIn, expiring, exitPolicy},
		{"check: a fine-grained token, checked by repository reach", "check",
			values{"api-url": apiURL, "required-scopes": "repo", "repositories": "acme/api"}, fine, exitOK},
	}
	failed := 0
	for _, c := range cases {
		fmt.Fprintf(rt.stdout, "\n== %s\n", c.title)
		in := values{}
		for k, v := range c.inputs {
			in[k] = v
		}
		rep, err := rt.execute(ctx, c.command, in.withDefaults(), tokens{token: c.token, admin: c.token})
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
