package rotate

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pat-action/pat-action/emulator"
)

// A prune whose DELETE fails reports that target failed, names the secret
// in the problem, and deletes the rest; running again finishes it.
func TestRunPruneFailure(t *testing.T) {
	e := newEnv(t)
	e.emu.SetSecret("repo:acme/web", "RELEASE_PAT", []byte("x"), start)
	e.emu.SetSecret("repo:acme/ops", "RELEASE_PAT", []byte("x"), start)
	e.vars["NEW_PAT"] = releaseTok
	e.emu.Inject(emulator.Fault{Op: "DELETE /repos/{owner}/{repo}/actions/secrets/{secret_name}", Match: "acme/ops", Kind: emulator.Status5xx, Status: 500})
	plan := `version: 1
secrets:
  - name: RELEASE_PAT
    source: {type: token, env: NEW_PAT}
    prune: true
    targets: [{organization: acme, match: "^api$"}]
`
	res, err := e.run(t, plan, nil)
	if !errors.Is(err, ErrPartial) {
		t.Fatalf("run: %v, want ErrPartial", err)
	}
	want := map[string]string{"repo:acme/api": "created", "repo:acme/ops": "failed", "repo:acme/web": "deleted"}
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
	if _, err := e.run(t, plan, nil); err != nil {
		t.Fatalf("second run: %v", err)
	}
	if _, ok := e.emu.SecretValue("repo:acme/ops", "RELEASE_PAT"); ok {
		t.Error("the second run left the secret in acme/ops")
	}
}
