package variables_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/pat-action/pat-action/emulator"
	"github.com/pat-action/pat-action/ghclient"
	"github.com/pat-action/pat-action/variables"
)

const adminTok = "ghp_variablesTestAdminToken000000000000"

// Get, Create and Update against the emulator, for a repository, an
// environment and an organization: a missing variable is not an error, a
// second create is ErrExists, and what is written is what the emulator holds.
func TestRoundTrip(t *testing.T) {
	emu := emulator.New(emulator.Options{Now: func() time.Time { return time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC) }})
	emu.AddOrg("acme")
	emu.AddRepo(emulator.Repo{Owner: "acme", Name: "api", Environments: []string{"production"}})
	emu.AddToken(emulator.Token{Value: adminTok, Login: "admin", Scopes: []string{"repo", "admin:org"}})
	srv, apiURL := emu.Start()
	t.Cleanup(srv.Close)
	api, err := ghclient.ParseAPIURL(apiURL)
	if err != nil {
		t.Fatal(err)
	}
	c := ghclient.New(api, ghclient.Options{Token: adminTok, Pacing: ghclient.Pacing{Off: true}, Retry: ghclient.Retry{MaxTries: 1}})
	ctx := context.Background()
	tests := []struct {
		name, base string
		extra      map[string]string
	}{
		{"repository", "repos/acme/api/actions/variables", nil},
		{"environment", "repos/acme/api/environments/production/variables", nil},
		{"organization", "orgs/acme/actions/variables", map[string]string{"visibility": "private"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, ok, err := variables.Get(ctx, c, tt.base, "EXPIRES_AT"); err != nil || ok {
				t.Fatalf("Get before create: ok %v, err %v; want missing, no error", ok, err)
			}
			if err := variables.Create(ctx, c, tt.base, "EXPIRES_AT", "2027-01-01", tt.extra); err != nil {
				t.Fatalf("Create: %v", err)
			}
			if err := variables.Create(ctx, c, tt.base, "EXPIRES_AT", "again", tt.extra); !errors.Is(err, variables.ErrExists) {
				t.Errorf("second Create: %v, want ErrExists", err)
			}
			if err := variables.Update(ctx, c, tt.base, "EXPIRES_AT", "2027-02-01"); err != nil {
				t.Fatalf("Update: %v", err)
			}
			// Get also says when GitHub last changed it (the state's replay
			// check reads it).
			if v, ok, err := variables.Get(ctx, c, tt.base, "EXPIRES_AT"); err != nil || !ok || v.Value != "2027-02-01" || !v.UpdatedAt.Equal(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)) {
				t.Errorf("Get after update = %q updated %v, %v, %v; want 2027-02-01 updated 2026-11-01", v.Value, v.UpdatedAt, ok, err)
			}
		})
	}
	if _, _, err := variables.Get(ctx, c, "repos/acme/nope/actions/variables", "X"); err != nil {
		t.Errorf("Get in a missing repository: %v, want missing (GitHub answers 404)", err)
	}
}

// A create whose answer is lost is not sent again when the variable holds
// the value (GitHub created it), and Create succeeds rather than failing on
// the 409 a second create would meet; a create GitHub did not serve (a
// 502) is sent again.
func TestCreateAnswerLost(t *testing.T) {
	const create = "POST /repos/{owner}/{repo}/actions/variables"
	tests := []struct {
		name    string
		fault   emulator.FaultKind
		creates int
	}{
		{"answer lost", emulator.LostAnswer, 1},
		{"502 before it was served", emulator.Status5xx, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emu := emulator.New(emulator.Options{})
			emu.AddOrg("acme")
			emu.AddRepo(emulator.Repo{Owner: "acme", Name: "api"})
			emu.AddToken(emulator.Token{Value: adminTok, Login: "admin", Scopes: []string{"repo"}})
			emu.Inject(emulator.Fault{Op: create, Kind: tt.fault})
			srv, apiURL := emu.Start()
			t.Cleanup(srv.Close)
			api, err := ghclient.ParseAPIURL(apiURL)
			if err != nil {
				t.Fatal(err)
			}
			noWait := func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
			c := ghclient.New(api, ghclient.Options{Token: adminTok, Pacing: ghclient.Pacing{Off: true}, Retry: ghclient.Retry{Sleep: noWait}})
			if err := variables.Create(context.Background(), c, "repos/acme/api/actions/variables", "EXPIRES_AT", "2027-01-01", nil); err != nil {
				t.Fatalf("Create: %v", err)
			}
			if v, ok := emu.GetVariable("repo:acme/api", "EXPIRES_AT"); !ok || v.Value != "2027-01-01" {
				t.Errorf("the emulator holds %q (present %t), want 2027-01-01", v.Value, ok)
			}
			creates := 0
			for _, r := range emu.Requests() {
				if r.Operation == create {
					creates++
				}
			}
			if creates != tt.creates || emu.PendingFaults() != 0 {
				t.Errorf("GitHub received %d creates (%d faults pending), want %d", creates, emu.PendingFaults(), tt.creates)
			}
		})
	}
}
