package app

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pat-action/pat-action/emulator"
	"github.com/pat-action/pat-action/state"
)

// theStateKey is the plan's state key, as its Actions secret holds it.
const theStateKey = "pat-action-state-key/0123456789abcdefghijklmnop"

func keyed(env map[string]string) map[string]string {
	out := map[string]string{"PAT_ACTION_STATE_KEY": theStateKey}
	for k, v := range env {
		out[k] = v
	}
	return out
}

// forgeAs writes sec into the state of acme/ops as shard writes it, signed
// with key (nil: unsigned), at the world's time.
func (w *stateWorld) forgeAs(t *testing.T, shard string, key []byte, sec state.Secret) {
	t.Helper()
	st := w.openState(t, state.Options{Shard: shard, Now: w.clock, Key: key})
	if err := st.Save(context.Background(), sec); err != nil {
		t.Fatal(err)
	}
}

// unsignedProblems lists the state variables a report says are not signed
// by the state key.
func unsignedProblems(rep Report) []string {
	var out []string
	for _, p := range rep.Problems {
		if v, ok := strings.CutPrefix(p.Error, "state variable "); ok && strings.Contains(v, " is not signed by the state key: ignored") {
			out = append(out, strings.Fields(v)[0])
		}
	}
	slices.Sort(out)
	return out
}

const prunedPlan = `version: 1
secrets:
  - name: DEPLOY_PAT
    source: {type: token, env: NEW_PAT}
    policy: {required-scopes: [repo, workflow]}
    max-age: 30d
    prune: true
    targets: [{organization: acme, match: "^svc-[0-9]+$"}]
`

// With a state key, a state forged by anyone who can write the plan
// repository's variables (unsigned, or signed with another key) naming a
// secret stored by hand where the plan reaches is not trusted: nothing is
// pruned, the variable is named as a problem, and the token's age is not
// the forged one. The run writes a fresh, signed state over its own
// variable, so the next run is clean.
func TestStateKeyRefusesForgedState(t *testing.T) {
	tests := []struct {
		name  string
		shard string
		key   []byte
		// clean is whether the next run is clean: only this shard's
		// own variable is replaced.
		clean bool
	}{
		{name: "unsigned, in the run's own variable", shard: "1/1", clean: true},
		{name: "signed with another key, in the run's own variable", shard: "1/1", key: []byte("someone-else's-key-0123456789abcdef"), clean: true},
		{name: "unsigned, in another shard's variable", shard: "3/4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newStateWorld(t, "svc-1", "svc-2", "infra")
			p := writePlan(t, prunedPlan)
			// secondTok expires in 400 days: its policy holds all along.
			env := keyed(map[string]string{"NEW_PAT": secondTok})
			if code, rep := w.cli(t, env, "rotate", "--config", p); code != 0 {
				t.Fatalf("first rotate: exit %d; problems %v", code, rep.Problems)
			}
			first := w.clock()
			w.emu.SetSecret("repo:acme/infra", "DEPLOY_PAT", []byte("by hand"), first)
			w.advance(60 * 24 * time.Hour)
			// The forgery claims acme/infra, and that the token was
			// first stored yesterday.
			salt := "forged-salt"
			w.forgeAs(t, tt.shard, tt.key, state.Secret{Name: "DEPLOY_PAT", Gen: 5, Since: w.clock().Add(-24 * time.Hour), Salt: salt,
				FP: state.Fingerprint(salt, secondTok), Targets: map[string]int{"repo:acme/infra": 5, "repo:acme/svc-1": 5, "repo:acme/svc-2": 5}})
			want := []string{state.VarName("DEPLOY_PAT", tt.shard)}

			code, rep := w.cli(t, env, "audit", "--config", p)
			if code != exitPolicy || !slices.Equal(unsignedProblems(rep), want) {
				t.Errorf("audit: exit %d, unsigned %v; want %d naming %v", code, unsignedProblems(rep), exitPolicy, want)
			}
			for _, s := range rep.Sources {
				if s.Name == "DEPLOY_PAT" && (s.Oldest == nil || !s.Oldest.Equal(first)) {
					t.Errorf("audit: the token's oldest copy is %v, want %v (the forged date was used)", s.Oldest, first)
				}
			}

			code, rep = w.cli(t, env, "rotate", "--config", p, "--dry-run")
			for _, s := range rep.Secrets {
				if s.Result == "would-delete" {
					t.Errorf("dry run would delete %s", s.Target)
				}
			}
			if code != exitPartial || !slices.Equal(unsignedProblems(rep), want) {
				t.Errorf("dry run: exit %d, unsigned %v; want %d naming %v", code, unsignedProblems(rep), exitPartial, want)
			}
			code, rep = w.cli(t, env, "rotate", "--config", p)
			if code != exitPartial || !slices.Equal(unsignedProblems(rep), want) {
				t.Errorf("rotate: exit %d, unsigned %v; want %d naming %v", code, unsignedProblems(rep), exitPartial, want)
			}
			if v, ok := w.emu.SecretValue("repo:acme/infra", "DEPLOY_PAT"); !ok || string(v) != "by hand" {
				t.Error("prune deleted or replaced DEPLOY_PAT in acme/infra, stored by hand, on a forged state's word")
			}
			code, rep = w.cli(t, env, "rotate", "--config", p)
			if tt.clean && (code != 0 || len(rep.Problems) != 0) {
				t.Errorf("next rotate: exit %d, problems %v; want a clean run over the fresh, signed state", code, rep.Problems)
			}
			if !tt.clean && !slices.Equal(unsignedProblems(rep), want) {
				t.Errorf("next rotate: unsigned %v; want %v named again until someone deletes it", unsignedProblems(rep), want)
			}
			if _, ok := w.emu.SecretValue("repo:acme/infra", "DEPLOY_PAT"); !ok {
				t.Error("the next run deleted DEPLOY_PAT in acme/infra")
			}
		})
	}
}

// A signed state variable copied into another secret's variable does not
// verify there, and is named; the secret it was copied from is unharmed.
func TestStateKeyRefusesCopiedEntry(t *testing.T) {
	w := newStateWorld(t, "svc-1", "infra")
	p := writePlan(t, prunedPlan+`  - name: INFRA_PAT
    source: {type: token, env: NEW_PAT}
    policy: {required-scopes: [repo, workflow]}
    targets: [{repository: acme/infra}]
`)
	env := keyed(map[string]string{"NEW_PAT": classicTok})
	if code, rep := w.cli(t, env, "rotate", "--config", p); code != 0 {
		t.Fatalf("first rotate: exit %d; problems %v", code, rep.Problems)
	}
	w.emu.SetSecret("repo:acme/infra", "DEPLOY_PAT", []byte("by hand"), w.clock())
	from, to := state.VarName("INFRA_PAT", "1/1"), state.VarName("DEPLOY_PAT", "1/1")
	v, ok := w.emu.GetVariable("repo:acme/ops", from)
	if !ok || !strings.HasPrefix(v.Value, "s1:") {
		t.Fatalf("%s: present %v, signed %v", from, ok, strings.HasPrefix(v.Value, "s1:"))
	}
	w.emu.SetVariable("repo:acme/ops", to, v.Value, w.clock())
	w.advance(time.Hour)
	code, rep := w.cli(t, env, "rotate", "--config", p)
	if code != exitPartial || !slices.Equal(unsignedProblems(rep), []string{to}) {
		t.Errorf("rotate: exit %d, unsigned %v; want %d naming %s", code, unsignedProblems(rep), exitPartial, to)
	}
	if _, ok := w.emu.SecretValue("repo:acme/infra", "DEPLOY_PAT"); !ok {
		t.Error("prune deleted DEPLOY_PAT in acme/infra")
	}
	if _, ok := w.emu.SecretValue("repo:acme/infra", "INFRA_PAT"); !ok {
		t.Error("INFRA_PAT is gone from acme/infra")
	}
}

// narrowPlans are a plan and the same plan narrowed: it no longer writes
// the organization secret, and drops the organization beta.
const (
	widePlan = `version: 1
secrets:
  - name: DEPLOY_PAT
    source: {type: token, env: NEW_PAT}
    policy: {required-scopes: [repo, workflow]}
    prune: true
    targets:
      - {organization: acme, visibility: private}
      - {organization: acme, match: "^svc-[0-9]+$"}
      - {organization: beta, match: "^app$"}
`
	narrowPlan = `version: 1
secrets:
  - name: DEPLOY_PAT
    source: {type: token, env: NEW_PAT}
    policy: {required-scopes: [repo, workflow]}
    prune: true
    targets:
      - {organization: acme, match: "^svc-[0-9]+$"}
`
)

func narrowWorld(t *testing.T) *stateWorld {
	t.Helper()
	w := newStateWorld(t, "svc-1")
	w.emu.AddOrg("beta")
	w.emu.AddRepo(emulator.Repo{Owner: "beta", Name: "app"})
	w.emu.AddRepo(emulator.Repo{Owner: "beta", Name: "other"})
	return w
}

// With a state key, a plan that narrowed its reach prunes what it wrote
// outside it: the dry run lists would-delete, the run deletes, the state
// forgets, and a secret stored by hand there is never touched.
func TestNarrowingWithStateKeyPrunes(t *testing.T) {
	w := narrowWorld(t)
	env := keyed(map[string]string{"NEW_PAT": classicTok})
	if code, rep := w.cli(t, env, "rotate", "--config", writePlan(t, widePlan)); code != 0 {
		t.Fatalf("wide rotate: exit %d; problems %v; error %v", code, rep.Problems, rep.Error)
	}
	w.emu.SetSecret("repo:beta/other", "DEPLOY_PAT", []byte("by hand"), w.clock())
	narrow := writePlan(t, narrowPlan)
	gone := []string{"org:acme", "repo:beta/app"}
	code, rep := w.cli(t, env, "rotate", "--config", narrow, "--dry-run")
	if got := resultsOf(rep, "would-delete"); code != 0 || !slices.Equal(got, gone) {
		t.Errorf("dry run: exit %d, would-delete %v; want 0 and %v; problems %v", code, got, gone, rep.Problems)
	}
	for _, c := range gone {
		if _, ok := w.emu.SecretValue(c, "DEPLOY_PAT"); !ok {
			t.Errorf("the dry run deleted DEPLOY_PAT from %s", c)
		}
	}
	code, rep = w.cli(t, env, "rotate", "--config", narrow)
	if got := resultsOf(rep, "deleted"); code != 0 || !slices.Equal(got, gone) || len(rep.Warnings) != 0 {
		t.Errorf("rotate: exit %d, deleted %v, warnings %v; want 0 and %v; problems %v", code, got, rep.Warnings, gone, rep.Problems)
	}
	for _, c := range gone {
		if _, ok := w.emu.SecretValue(c, "DEPLOY_PAT"); ok {
			t.Errorf("DEPLOY_PAT is still in %s", c)
		}
	}
	if _, ok := w.emu.SecretValue("repo:beta/other", "DEPLOY_PAT"); !ok {
		t.Error("prune deleted DEPLOY_PAT in beta/other, which the plan never wrote")
	}
	// Dropped from the state: the next run has nothing to delete.
	code, rep = w.cli(t, env, "rotate", "--config", narrow)
	if code != 0 || len(resultsOf(rep, "deleted")) != 0 || len(rep.Problems) != 0 {
		t.Errorf("next rotate: exit %d, deleted %v, problems %v", code, resultsOf(rep, "deleted"), rep.Problems)
	}
}

// Without a state key, what a narrowed plan wrote outside its reach is not
// pruned (the state could be forged) and not forgotten: every run warns of
// it, saying how to clean it, until it is gone.
func TestNarrowingWithoutStateKeyWarns(t *testing.T) {
	w := narrowWorld(t)
	env := map[string]string{"NEW_PAT": classicTok}
	if code, rep := w.cli(t, env, "rotate", "--config", writePlan(t, widePlan)); code != 0 {
		t.Fatalf("wide rotate: exit %d; problems %v; error %v", code, rep.Problems, rep.Error)
	}
	narrow := writePlan(t, narrowPlan)
	for run := range 3 {
		code, rep := w.cli(t, env, "rotate", "--config", narrow)
		if code != 0 || !slices.Equal(warned(rep), []string{"org:acme", "repo:beta/app"}) || len(resultsOf(rep, "deleted")) != 0 {
			t.Errorf("run %d: exit %d, warnings for %v, deleted %v; want 0, warnings for org:acme and repo:beta/app, nothing deleted",
				run+1, code, warned(rep), resultsOf(rep, "deleted"))
		}
		for _, wn := range rep.Warnings {
			if !strings.Contains(wn.Error, "delete it there by hand") || !strings.Contains(wn.Error, "state-key") {
				t.Errorf("run %d: the warning does not say how to clean it: %s", run+1, wn.Error)
			}
		}
	}
	for _, c := range []string{"org:acme", "repo:beta/app"} {
		if _, ok := w.emu.SecretValue(c, "DEPLOY_PAT"); !ok {
			t.Errorf("DEPLOY_PAT was deleted from %s without a state key", c)
		}
	}
	// Deleted by hand: that warning stops, the other goes on.
	if _, err := w.admin(t).Actions.DeleteOrgSecret(context.Background(), "acme", "DEPLOY_PAT"); err != nil {
		t.Fatal(err)
	}
	for run := range 2 {
		if code, rep := w.cli(t, env, "rotate", "--config", narrow); code != 0 || !slices.Equal(warned(rep), []string{"repo:beta/app"}) {
			t.Errorf("after the hand delete, run %d: exit %d, warnings for %v; want only repo:beta/app", run+1, code, warned(rep))
		}
	}
}

// resultsOf lists, sorted, the targets a report gives result.
func resultsOf(rep Report, result string) []string {
	var out []string
	for _, s := range rep.Secrets {
		if s.Result == result {
			out = append(out, s.Target)
		}
	}
	slices.Sort(out)
	return out
}

// A state key of the wrong length, or on more than one line, is bad input:
// exit 2 before any request, from either front end, and never quoted.
func TestBadStateKey(t *testing.T) {
	short := "short-key-0123456789" // 20 bytes
	long := strings.Repeat("k", state.MaxKey+1)
	tests := []struct {
		name   string
		args   []string
		env    map[string]string
		inputs map[string]string
		file   string
		key    string
		want   string
	}{
		{name: "rotate, short key from the environment", args: []string{"rotate"}, env: map[string]string{"PAT_ACTION_STATE_KEY": short}, key: short,
			want: "state key (PAT_ACTION_STATE_KEY or --state-key-file): want 32 to 1024 bytes"},
		{name: "audit, short key from a file", args: []string{"audit", "--state-key-file", "$FILE"}, file: short + "\n", key: short,
			want: "want 32 to 1024 bytes"},
		{name: "rotate, a key too long", args: []string{"rotate"}, env: map[string]string{"PAT_ACTION_STATE_KEY": long}, key: long,
			want: "want 32 to 1024 bytes"},
		{name: "rotate, a key on two lines", args: []string{"rotate", "--state-key-file", "$FILE"}, file: theStateKey[:20] + "\n" + theStateKey[20:], key: theStateKey[20:],
			want: "holds a line break"},
		{name: "audit, a key file whose key ends in a space", args: []string{"audit", "--state-key-file", "$FILE"}, file: theStateKey + " \n", key: theStateKey + " ",
			want: "starts or ends with white space"},
		{name: "rotate, an empty key file", args: []string{"rotate", "--state-key-file", "$FILE"}, file: "\n", key: theStateKey,
			want: "--state-key-file: the file is empty"},
		{name: "rotate, the key is the token the plan stores", args: []string{"rotate"}, env: map[string]string{"PAT_ACTION_STATE_KEY": classicTok}, key: classicTok,
			want: "the state key is the same as DEPLOY_PAT's token"},
		{name: "rotate, the key is the run's token, not the admin token", args: []string{"rotate"},
			env: map[string]string{"PAT_ACTION_ADMIN_TOKEN": adminTok, "GH_TOKEN": secondTok, "PAT_ACTION_STATE_KEY": secondTok}, key: secondTok,
			want: "the state key is the same as the token:"},
		{name: "audit, the key is the previous token", args: []string{"audit"},
			env: map[string]string{"PAT_ACTION_PREVIOUS_TOKEN": secondTok, "PAT_ACTION_STATE_KEY": secondTok}, key: secondTok,
			want: "the state key is the same as the previous token"},
		{name: "action: audit, the key is the admin token", inputs: map[string]string{"mode": "audit", "state-key": adminTok}, key: adminTok,
			want: "the state key is the same as the admin token"},
		{name: "rotate, the key as a flag value", args: []string{"rotate", "--state-key", theStateKey}, key: theStateKey,
			want: "--state-key: keys are never flag values"},
		{name: "action: rotate, short key", inputs: map[string]string{"mode": "rotate", "state-key": short}, key: short,
			want: "state key (the state-key input): want 32 to 1024 bytes"},
		{name: "action: audit, short key", inputs: map[string]string{"mode": "audit", "state-key": short}, key: short,
			want: "want 32 to 1024 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newStateWorld(t, "svc-1")
			plan := writePlan(t, prunedPlan)
			env := map[string]string{"GH_TOKEN": adminTok, "NEW_PAT": classicTok}
			for k, v := range tt.env {
				env[k] = v
			}
			var res result
			if tt.inputs != nil {
				in := map[string]string{"admin-token": adminTok, "api-url": w.apiURL, "config": plan, "state-repository": "acme/ops"}
				for k, v := range tt.inputs {
					in[k] = v
				}
				r := newRunner(t, in)
				r.env["NEW_PAT"] = classicTok
				res = run(t, nil, r.env, "")
				res.stdout += r.read(t, r.outputFile) + r.read(t, r.summary)
			} else {
				args := slices.Clone(tt.args)
				if tt.file != "" {
					f := writePlan(t, tt.file)
					for i, a := range args {
						args[i] = strings.ReplaceAll(a, "$FILE", f)
					}
				}
				args = append(args, "--config", plan, "--api-url", w.apiURL, "--state-repository", "acme/ops", "--json")
				res = run(t, args, env, "")
			}
			if res.code != exitUsage {
				t.Errorf("exit %d, want 2\nstderr:\n%s", res.code, res.stderr)
			}
			if !strings.Contains(res.stdout+res.stderr, tt.want) {
				t.Errorf("the message does not say %q:\nstdout:\n%s\nstderr:\n%s", tt.want, res.stdout, res.stderr)
			}
			for i, line := range strings.Split(res.stdout+res.stderr, "\n") {
				if strings.Contains(line, tt.key) && line != "::add-mask::"+tt.key {
					t.Errorf("output line %d carries the key", i+1)
				}
			}
			if reqs := w.emu.Requests(); len(reqs) != 0 {
				t.Errorf("%d requests sent for a bad state key, want 0; the first: %s %s", len(reqs), reqs[0].Method, reqs[0].Path)
			}
		})
	}
}

// The same key signs the same state whichever way it comes: from the
// environment, a file ending in a line break (LF or CRLF), standard input,
// or the action's input, which the runner trims. A state rotate signed with
// one verifies in an audit given each of the others.
func TestStateKeyFromEveryFront(t *testing.T) {
	w := newStateWorld(t, "api")
	plan := writePlan(t, `version: 1
secrets:
  - name: WEBHOOK_SECRET
    source: {type: random}
    targets: [{repository: acme/api}]
`)
	if code, rep := w.cli(t, keyed(nil), "rotate", "--config", plan); code != 0 {
		t.Fatalf("rotate: exit %d, problems %v", code, rep.Problems)
	}
	for _, tt := range []struct{ name, file, stdin string }{
		{name: "a file ending in LF", file: theStateKey + "\n"},
		{name: "a file ending in CRLF", file: theStateKey + "\r\n"},
		{name: "standard input", stdin: theStateKey + "\n"},
	} {
		from := "-"
		if tt.file != "" {
			from = writePlan(t, tt.file)
		}
		res := run(t, []string{"audit", "--config", plan, "--state-key-file", from, "--api-url", w.apiURL, "--state-repository", "acme/ops", "--json"},
			map[string]string{"GH_TOKEN": adminTok}, tt.stdin)
		if res.code != exitOK {
			t.Errorf("audit, the key from %s: exit %d, want 0 (the state verifies)\n%s", tt.name, res.code, res.stdout)
		}
	}
	r := newRunner(t, map[string]string{"mode": "audit", "admin-token": adminTok, "api-url": w.apiURL, "config": plan, "state-repository": "acme/ops",
		"pacing": "off", "state-key": theStateKey + "\n"})
	if res := run(t, nil, r.env, ""); res.code != exitOK {
		t.Errorf("action audit, the key input ending in a line break: exit %d, want 0 (the state verifies)\n%s", res.code, res.stdout)
	}
}

// A signed state put back after prune (a replay) would make the next run
// prune again what someone has stored by hand since. GitHub dates the
// change long after the signed write: the variable is ignored and named,
// and the secret stored by hand stays.
func TestReplayedStateRefused(t *testing.T) {
	w := narrowWorld(t)
	env := keyed(map[string]string{"NEW_PAT": classicTok})
	if code, rep := w.cli(t, env, "rotate", "--config", writePlan(t, widePlan)); code != 0 {
		t.Fatalf("wide rotate: exit %d; problems %v", code, rep.Problems)
	}
	name := state.VarName("DEPLOY_PAT", "1/1")
	old, _ := w.emu.GetVariable("repo:acme/ops", name)
	narrow := writePlan(t, narrowPlan)
	if code, rep := w.cli(t, env, "rotate", "--config", narrow); code != 0 || len(resultsOf(rep, "deleted")) != 2 {
		t.Fatalf("narrow rotate: exit %d, deleted %v; problems %v", code, resultsOf(rep, "deleted"), rep.Problems)
	}
	w.advance(7 * 24 * time.Hour)
	w.emu.SetSecret("repo:beta/app", "DEPLOY_PAT", []byte("by hand"), w.clock())
	w.emu.SetVariable("repo:acme/ops", name, old.Value, w.clock()) // the replay
	code, rep := w.cli(t, env, "rotate", "--config", narrow)
	if v, ok := w.emu.SecretValue("repo:beta/app", "DEPLOY_PAT"); !ok || string(v) != "by hand" {
		t.Error("prune deleted DEPLOY_PAT in beta/app, stored by hand since, on a replayed state's word")
	}
	if code != exitPartial || len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0].Error, name+" was put back") {
		t.Errorf("exit %d, problems %v; want %d naming the replayed variable", code, rep.Problems, exitPartial)
	}
	if code, rep := w.cli(t, env, "rotate", "--config", narrow); code != 0 || len(rep.Problems) != 0 {
		t.Errorf("next rotate: exit %d, problems %v; want a clean run over the replaced state", code, rep.Problems)
	}
}
