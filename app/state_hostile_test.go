package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pat-action/pat-action/emulator"
	"github.com/pat-action/pat-action/ghclient"
	"github.com/pat-action/pat-action/state"
)

// forge writes, as another shard would, a state for secret that claims
// targets: what a hand edit of the state variables could leave.
func (w *stateWorld) forge(t *testing.T, sec state.Secret) {
	t.Helper()
	api, err := ghclient.ParseAPIURL(w.apiURL)
	if err != nil {
		t.Fatal(err)
	}
	c := ghclient.New(api, ghclient.Options{Token: adminTok})
	st, err := state.Open(context.Background(), c, state.Options{Repository: "acme/ops", Shard: "9/9", Now: func() time.Time { return w.clock().Add(time.Minute) }})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Save(context.Background(), sec); err != nil {
		t.Fatal(err)
	}
}

// A state variable edited to claim targets the plan never wrote, in an
// organization the plan does not name or as a secret kind the plan does
// not write, never makes prune delete there: those targets are reported
// and forgotten, and every secret there survives.
func TestPruneIgnoresForgedState(t *testing.T) {
	w := newStateWorld(t, "svc-1", "infra")
	w.emu.AddOrg("beta")
	w.emu.AddRepo(emulator.Repo{Owner: "beta", Name: "victim"})
	p := writePlan(t, `version: 1
secrets:
  - name: DEPLOY_PAT
    source: {type: token, env: NEW_PAT}
    policy: {required-scopes: [repo, workflow]}
    prune: true
    targets: [{organization: acme, match: "^svc-[0-9]+$"}]
`)
	env := map[string]string{"NEW_PAT": classicTok}
	if code, rep := w.cli(t, env, "rotate", "--config", p); code != 0 {
		t.Fatalf("first rotate: exit %d; problems %v", code, rep.Problems)
	}
	for _, target := range []string{"repo:beta/victim", "org:beta", "dependabot:repo:acme/infra"} {
		w.emu.SetSecret(target, "DEPLOY_PAT", []byte("by hand"), testNow)
	}
	w.forge(t, state.Secret{Name: "DEPLOY_PAT", Gen: 1, Targets: map[string]int{"repo:beta/victim": 1, "org:beta": 1, "dependabot:repo:acme/infra": 1}})
	before := variables(w)
	code, rep := w.cli(t, env, "rotate", "--config", p, "--dry-run")
	for _, s := range rep.Secrets {
		if s.Result == "would-delete" {
			t.Errorf("dry run would delete %s, which the plan cannot have written", s.Target)
		}
	}
	if after := variables(w); after != before {
		t.Error("the dry run changed the state variables")
	}
	if code != exitPartial {
		t.Errorf("dry run: exit %d, want %d (the forged targets are a problem)", code, exitPartial)
	}
	w.advance(time.Hour) // later than the forged write, which then loses
	code, rep = w.cli(t, env, "rotate", "--config", p)
	if code != exitPartial {
		t.Errorf("rotate: exit %d, want %d; problems %v", code, exitPartial, rep.Problems)
	}
	if _, ok := w.emu.SecretValue("repo:beta/victim", "DEPLOY_PAT"); !ok {
		t.Error("prune deleted DEPLOY_PAT in beta/victim, outside every organization the plan names")
	}
	if _, ok := w.emu.SecretValue("org:beta", "DEPLOY_PAT"); !ok {
		t.Error("prune deleted the organization secret of beta")
	}
	if _, ok := w.emu.SecretValue("dependabot:repo:acme/infra", "DEPLOY_PAT"); !ok {
		t.Error("prune deleted a Dependabot secret, a kind the plan never writes")
	}
	// Forgotten: the next run is clean.
	if code, rep := w.cli(t, env, "rotate", "--config", p); code != 0 {
		t.Errorf("next rotate: exit %d; problems %v", code, rep.Problems)
	}
}

// variables is every state variable of acme/ops, name and value, as one
// string to compare.
func variables(w *stateWorld) string {
	var b strings.Builder
	for _, n := range w.emu.VariableNames("repo:acme/ops") {
		v, _ := w.emu.GetVariable("repo:acme/ops", n)
		b.WriteString(n + "=" + v.Value + "\n")
	}
	return b.String()
}
