package rotate

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pat-action/pat-action/emulator"
)

// A prune whose DELETE fails reports that target failed, names the secret
// in the problem, and deletes the rest; running again finishes it. Only
// targets the rotation state says the plan wrote are pruned: a secret of
// the same name written by hand in acme/infra survives every run.
func TestRunPruneFailure(t *testing.T) {
	e := newEnv(t)
	e.emu.SetSecret("repo:acme/infra", "RELEASE_PAT", []byte("by hand"), start)
	e.vars["NEW_PAT"] = releaseTok
	withState := func(o *Options) { o.StateRepository = "acme/api" }
	wide := `version: 1
secrets:
  - name: RELEASE_PAT
    source: {type: token, env: NEW_PAT}
    prune: true
    targets: [{organization: acme, match: "^(api|web|ops)$"}]
`
	if _, err := e.run(t, wide, withState); err != nil {
		t.Fatalf("first run: %v", err)
	}
	e.emu.Inject(emulator.Fault{Op: "DELETE /repos/{owner}/{repo}/actions/secrets/{secret_name}", Match: "acme/ops", Kind: emulator.Status5xx, Status: 500})
	narrow := strings.Replace(wide, "^(api|web|ops)$", "^api$", 1)
	res, err := e.run(t, narrow, withState)
	if !errors.Is(err, ErrPartial) {
		t.Fatalf("run: %v, want ErrPartial", err)
	}
	want := map[string]string{"repo:acme/api": "unchanged", "repo:acme/ops": "failed", "repo:acme/web": "deleted"}
	if diff := cmp.Diff(want, results(res, "RELEASE_PAT")); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	if len(res.Problems) != 1 || res.Problems[0].Target != "repo:acme/ops" || !strings.HasPrefix(res.Problems[0].Error, "prune RELEASE_PAT: ") {
		t.Errorf("problems %+v, want one for repo:acme/ops saying prune RELEASE_PAT", res.Problems)
	}
	if _, ok := e.emu.SecretValue("repo:acme/ops", "RELEASE_PAT"); !ok {
		t.Error("the failed DELETE removed the secret")
	}
	if _, ok := e.emu.SecretValue("repo:acme/web", "RELEASE_PAT"); ok {
		t.Error("prune left the secret in acme/web")
	}
	if _, err := e.run(t, narrow, withState); err != nil {
		t.Fatalf("third run: %v", err)
	}
	if _, ok := e.emu.SecretValue("repo:acme/ops", "RELEASE_PAT"); ok {
		t.Error("the third run left the secret in acme/ops")
	}
	if _, ok := e.emu.SecretValue("repo:acme/infra", "RELEASE_PAT"); !ok {
		t.Error("prune deleted the secret written by hand in acme/infra")
	}
}

// Without the rotation state, prune deletes nothing and says why.
func TestPruneWithoutState(t *testing.T) {
	e := newEnv(t)
	e.emu.SetSecret("repo:acme/web", "RELEASE_PAT", []byte("by hand"), start)
	e.vars["NEW_PAT"] = releaseTok
	res, err := e.run(t, `version: 1
secrets:
  - name: RELEASE_PAT
    source: {type: token, env: NEW_PAT}
    prune: true
    targets: [{organization: acme, match: "^api$"}]
`, nil)
	if !errors.Is(err, ErrPartial) {
		t.Fatalf("run: %v, want ErrPartial", err)
	}
	if _, ok := e.emu.SecretValue("repo:acme/web", "RELEASE_PAT"); !ok {
		t.Error("prune without state deleted a secret it never wrote")
	}
	if len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Error, "no rotation state") {
		t.Errorf("problems %+v, want one saying there is no rotation state", res.Problems)
	}
}
