package app

import (
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
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
	st := w.openState(t, state.Options{Shard: "9/9", Now: func() time.Time { return w.clock().Add(time.Minute) }})
	if err := st.Save(context.Background(), sec); err != nil {
		t.Fatal(err)
	}
}

// A state variable edited to claim targets the plan never wrote, in an
// organization the plan does not name or as a secret kind the plan does
// not write, never makes prune delete there without a state key: those
// targets are warned of every run (a plan that narrowed leaves the same),
// and every secret there survives.
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
	wantWarned := []string{"dependabot:repo:acme/infra", "org:beta", "repo:beta/victim"}
	if code != 0 || !slices.Equal(warned(rep), wantWarned) {
		t.Errorf("dry run: exit %d, warnings for %v; want 0, warnings for %v", code, warned(rep), wantWarned)
	}
	w.advance(time.Hour) // later than the forged write, which then loses
	code, rep = w.cli(t, env, "rotate", "--config", p)
	if code != 0 || !slices.Equal(warned(rep), wantWarned) {
		t.Errorf("rotate: exit %d, warnings for %v; want 0, warnings for %v; problems %v", code, warned(rep), wantWarned, rep.Problems)
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
	// Not forgotten: the next run warns again, until they are gone.
	if code, rep := w.cli(t, env, "rotate", "--config", p); code != 0 || !slices.Equal(warned(rep), wantWarned) {
		t.Errorf("next rotate: exit %d, warnings for %v; want 0, warnings for %v", code, warned(rep), wantWarned)
	}
}

// warned lists, sorted, the targets a report warns of.
func warned(rep Report) []string {
	var out []string
	for _, w := range rep.Warnings {
		out = append(out, w.Target)
	}
	slices.Sort(out)
	return out
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

// The state fingerprints only what GitHub accepted as a token (at least
// 160 random bits): a random secret of one byte, or a deploy key, leaves
// no fingerprint or salt there that could be searched back to its value.
func TestStateFingerprintsTokensOnly(t *testing.T) {
	w := newStateWorld(t, "api")
	p := writePlan(t, `version: 1
secrets:
  - name: TINY
    source: {type: random, bytes: 1}
    targets: [{repository: acme/api}]
  - name: DEPLOY_KEY
    source: {type: deploy-key, repository: acme/api}
    targets: [{repository: acme/api}]
  - name: RELEASE_PAT
    source: {type: token, env: NEW_PAT}
    policy: {required-scopes: [repo, workflow]}
    targets: [{repository: acme/api}]
`)
	if code, rep := w.cli(t, map[string]string{"NEW_PAT": classicTok}, "rotate", "--config", p); code != 0 {
		t.Fatalf("rotate: exit %d; problems %v", code, rep.Problems)
	}
	st := w.openState(t, state.Options{})
	for _, name := range []string{"TINY", "DEPLOY_KEY"} {
		sec, ok := st.Secret(name)
		if !ok || sec.Gen < 1 {
			t.Errorf("%s: state known %v at generation %d, want a generation", name, ok, sec.Gen)
		}
		if sec.FP != "" || sec.Salt != "" {
			t.Errorf("%s: the state keeps a fingerprint of a generated value", name)
		}
	}
	sec, _ := st.Secret("RELEASE_PAT")
	if sec.FP == "" || sec.FP != state.Fingerprint(sec.Salt, classicTok) {
		t.Error("RELEASE_PAT: no fingerprint of the token, or not under its salt")
	}
	for _, unkeyed := range []string{state.Fingerprint("", classicTok), fmt.Sprintf("%x", sha256.Sum256([]byte(classicTok)))[:16]} {
		if sec.FP == unkeyed {
			t.Error("RELEASE_PAT: the fingerprint is not keyed by the salt")
		}
	}
}

// Two shards of a matrix rotate; a third, unsharded run is killed between
// recording a new generation and its first write (the state says a newer
// generation than every target holds). The next matrix run sees every
// target behind, writes one new value everywhere, and audit passes.
func TestKilledAfterWriteAheadConverges(t *testing.T) {
	repos := repoNames("svc-", 6)
	w := newStateWorld(t, repos...)
	p := writePlan(t, `version: 1
secrets:
  - name: WEBHOOK_SECRET
    source: {type: random, bytes: 16}
    max-age: 30d
    targets: `+targetList(repos)+"\n")
	matrix := func() {
		t.Helper()
		for i := range 2 {
			if code, rep := w.cli(t, nil, "rotate", "--config", p, "--shard", fmt.Sprintf("%d/2", i+1)); code != 0 {
				t.Fatalf("shard %d/2: exit %d; problems %v", i+1, code, rep.Problems)
			}
		}
	}
	matrix()
	first := w.values("WEBHOOK_SECRET", repos)
	if distinct(first) != 1 {
		t.Fatal("the first matrix run did not write one value everywhere")
	}
	st := w.openState(t, state.Options{})
	was, _ := st.Secret("WEBHOOK_SECRET")
	killed := was.Clone()
	killed.Gen++
	w.advance(time.Hour)
	w.forge(t, killed)
	w.advance(time.Hour)
	if code, rep := w.cli(t, nil, "audit", "--config", p); code != exitPolicy || len(sourceOf(rep, "WEBHOOK_SECRET")) != len(repos) {
		t.Errorf("audit after the kill: exit %d, diverged %v; want %d naming all %d targets", code, sourceOf(rep, "WEBHOOK_SECRET"), exitPolicy, len(repos))
	}
	matrix()
	after := w.values("WEBHOOK_SECRET", repos)
	if distinct(after) != 1 || after["svc-00"] == first["svc-00"] {
		t.Errorf("after the rerun: %d values, want one new value everywhere", distinct(after))
	}
	if code, rep := w.cli(t, nil, "audit", "--config", p); code != 0 {
		t.Errorf("audit after the repair: exit %d; sources %+v", code, rep.Sources)
	}
}

// A deploy key whose targets diverged (a forced rotation failed on one) is
// failed by audit naming that target; the next plain run writes one new
// private key everywhere and, only then, leaves one deploy key.
func TestDeployKeyDivergenceRepaired(t *testing.T) {
	w := newStateWorld(t, "infra", "api", "web")
	p := writePlan(t, `version: 1
secrets:
  - name: INFRA_DEPLOY_KEY
    source: {type: deploy-key, repository: acme/infra}
    max-age: 30d
    targets: [{repository: acme/api}, {repository: acme/web}]
`)
	if code, rep := w.cli(t, nil, "rotate", "--config", p); code != 0 {
		t.Fatalf("first rotate: exit %d; problems %v", code, rep.Problems)
	}
	w.emu.Inject(emulator.Fault{Op: "PUT /repos/{owner}/{repo}/actions/secrets/{secret_name}", Kind: emulator.Status5xx, Match: "/web/", Count: ghclient.DefaultMaxTries})
	w.advance(time.Hour)
	if code, _ := w.cli(t, nil, "rotate", "--config", p, "--force"); code != exitPartial {
		t.Fatalf("forced rotate failing on acme/web: exit %d, want %d", code, exitPartial)
	}
	if code, rep := w.cli(t, nil, "audit", "--config", p); code != exitPolicy || !slices.Equal(sourceOf(rep, "INFRA_DEPLOY_KEY"), []string{"repo:acme/web"}) {
		t.Errorf("audit: exit %d, diverged %v; want %d naming repo:acme/web", code, sourceOf(rep, "INFRA_DEPLOY_KEY"), exitPolicy)
	}
	w.advance(time.Hour)
	if code, rep := w.cli(t, nil, "rotate", "--config", p); code != 0 {
		t.Fatalf("rerun: exit %d; problems %v", code, rep.Problems)
	}
	if v := w.values("INFRA_DEPLOY_KEY", []string{"api", "web"}); distinct(v) != 1 || v["api"] == "" {
		t.Errorf("%d private keys among the targets, want one", distinct(v))
	}
	if keys := w.emu.DeployKeys("acme/infra"); len(keys) != 1 {
		t.Errorf("%d deploy keys on acme/infra, want only the newest", len(keys))
	}
	if code, rep := w.cli(t, nil, "audit", "--config", p); code != 0 {
		t.Errorf("audit after the repair: exit %d; sources %+v", code, rep.Sources)
	}
}

// A new token is recorded in the state before it is written anywhere, as a
// new random value is: when the state cannot be written, the token is
// written nowhere (exit 3). Written everywhere with the state still naming
// the previous token, the next run took it for new again and restarted its
// age from then, hiding the days in between from max-age and audit.
func TestTokenRecordedBeforeWritten(t *testing.T) {
	repos := []string{"api", "web"}
	w := newStateWorld(t, repos...)
	p := writePlan(t, `version: 1
secrets:
  - name: RELEASE_PAT
    source: {type: token, env: NEW_PAT}
    policy: {required-scopes: [repo, workflow]}
    max-age: 30d
    targets: `+targetList(repos)+"\n")
	if code, rep := w.cli(t, map[string]string{"NEW_PAT": classicTok}, "rotate", "--config", p); code != 0 {
		t.Fatalf("first rotate: exit %d; problems %v", code, rep.Problems)
	}
	w.advance(24 * time.Hour)
	w.emu.Inject(emulator.Fault{Op: "PATCH /repos/{owner}/{repo}/actions/variables/{name}", Match: state.VarName("RELEASE_PAT", "1/1"), Kind: emulator.NotFound404})
	env := map[string]string{"NEW_PAT": secondTok}
	code, rep := w.cli(t, env, "rotate", "--config", p)
	if code != exitPartial || w.emu.PendingFaults() != 0 {
		t.Fatalf("rotate with the state unwritable: exit %d, fault met %v; want %d; problems %v", code, w.emu.PendingFaults() == 0, exitPartial, rep.Problems)
	}
	for _, r := range repos {
		if v, _ := w.emu.SecretValue("repo:acme/"+r, "RELEASE_PAT"); string(v) != classicTok {
			t.Errorf("acme/%s: the new token was written although the state could not record it", r) // compares, never prints
		}
	}
	if code, rep := w.cli(t, env, "rotate", "--config", p); code != 0 || len(resultsOf(rep, "updated")) != len(repos) {
		t.Errorf("next rotate: exit %d, updated %v; want 0 and every target", code, resultsOf(rep, "updated"))
	}
}
