package app

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pat-action/pat-action/emulator"
	"github.com/pat-action/pat-action/rotate"
)

// A reminder issue is opened once, whatever happens to the answer to its
// create: when GitHub opened it but the answer was lost, the run finds it
// by its label and marker and adopts it rather than opening a second one
// that no run would ever close; when GitHub did not (a 502 before serving,
// a reset), the create is sent again. A second run finds the one issue and
// updates it.
func TestRotateReminderAnswerLost(t *testing.T) {
	const create = "POST /repos/{owner}/{repo}/issues"
	isCreate := func(r emulator.Request) bool { return r.Operation == create }
	tests := []struct {
		name    string
		fault   emulator.Fault
		creates int // the creates GitHub received in the first run
	}{
		{"answer lost", emulator.Fault{Op: create, Kind: emulator.LostAnswer}, 1},
		{"502 before it was served", emulator.Fault{Op: create, Kind: emulator.Status5xx}, 2},
		{"reset before it was served", emulator.Fault{Op: create, Kind: emulator.Reset}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := rotateWorld(t)
			plan := writePlan(t, reminderIssuePlan)
			w.emu.Inject(tt.fault)
			env := map[string]string{"GH_TOKEN": adminTok, "NEW_PAT": expiringTok, "GITHUB_REPOSITORY": "acme/web"}
			for i, want := range []string{"created", "updated"} {
				before := countRequests(w, isCreate)
				res, _ := runRotation(t, []string{"rotate", "--api-url", w.apiURL, "--config", plan, "--pacing", "off", "--json"}, env, true)
				if res.code != 0 {
					t.Fatalf("run %d: exit %d; stderr:\n%s", i+1, res.code, res.stderr)
				}
				rep := reportIssues(t, i+1, res.stdout)
				issues := w.emu.Issues("acme/web")
				if len(issues) != 1 {
					t.Fatalf("run %d: %d issues in acme/web, want exactly 1", i+1, len(issues))
				}
				if is := issues[0]; is.State != "open" || !strings.Contains(is.Body, rotate.Marker("RELEASE_PAT")) {
					t.Errorf("run %d: the issue is %s, want open with the marker", i+1, is.State)
				}
				wantRep := []rotate.IssueResult{{Repository: "acme/web", Number: issues[0].Number, Name: "RELEASE_PAT", Result: want}}
				if diff := cmp.Diff(wantRep, rep); diff != "" {
					t.Errorf("run %d: issues (-want +got):\n%s", i+1, diff)
				}
				creates := countRequests(w, isCreate) - before
				if wantCreates := map[int]int{0: tt.creates, 1: 0}[i]; creates != wantCreates {
					t.Errorf("run %d: GitHub received %d issue creates, want %d", i+1, creates, wantCreates)
				}
			}
			if n := w.emu.PendingFaults(); n != 0 {
				t.Errorf("%d injected faults never fired", n)
			}
		})
	}
}

// Updating and closing a reminder issue (PATCH) is idempotent: when the
// answer is lost it is sent again, and the one issue ends as meant.
func TestRotateReminderEditAnswerLost(t *testing.T) {
	const edit = "PATCH /repos/{owner}/{repo}/issues/{issue_number}"
	w := rotateWorld(t)
	plan := writePlan(t, reminderIssuePlan)
	for i, st := range []struct {
		tok, result, state string
		fault              bool
	}{
		{expiringTok, "created", "open", false},
		{expiringTok, "updated", "open", true},
		{classicTok, "closed", "closed", true},
	} {
		if st.fault {
			w.emu.Inject(emulator.Fault{Op: edit, Kind: emulator.LostAnswer})
		}
		env := map[string]string{"GH_TOKEN": adminTok, "NEW_PAT": st.tok, "GITHUB_REPOSITORY": "acme/web"}
		res, _ := runRotation(t, []string{"rotate", "--api-url", w.apiURL, "--config", plan, "--pacing", "off", "--json"}, env, true)
		if res.code != 0 {
			t.Fatalf("run %d: exit %d; stderr:\n%s", i+1, res.code, res.stderr)
		}
		if n := w.emu.PendingFaults(); n != 0 {
			t.Fatalf("run %d: %d injected faults never fired", i+1, n)
		}
		rep := reportIssues(t, i+1, res.stdout)
		issues := w.emu.Issues("acme/web")
		if len(issues) != 1 || issues[0].State != st.state {
			t.Fatalf("run %d: %d issues, want 1 %s", i+1, len(issues), st.state)
		}
		if len(rep) != 1 || rep[0].Result != st.result {
			t.Errorf("run %d: issues %+v, want %s", i+1, rep, st.result)
		}
	}
}

// A companion variable whose create GitHub served but whose answer was
// lost is reported created, holding the value, not failed on the 409 the
// resent create meets.
func TestRotatePublishAnswerLost(t *testing.T) {
	w := newStateWorld(t, "api", "web")
	plan := writePlan(t, `version: 1
secrets:
  - name: RELEASE_PAT
    source: {type: token, env: NEW_PAT}
    policy: {required-scopes: [repo, workflow]}
    targets: [{repository: acme/web}]
    variables:
      - {name: RELEASE_PAT_EXPIRES_AT, value: expires-at, targets: [{repository: acme/api}]}
`)
	w.emu.Inject(emulator.Fault{Op: "POST /repos/{owner}/{repo}/actions/variables", Match: "acme/api", Kind: emulator.LostAnswer})
	code, rep := w.cli(t, map[string]string{"NEW_PAT": classicTok}, "rotate", "--config", plan)
	if code != 0 {
		t.Fatalf("rotate: exit %d; problems %v", code, rep.Problems)
	}
	if n := w.emu.PendingFaults(); n != 0 {
		t.Fatalf("%d injected faults never fired", n)
	}
	var got string
	for _, s := range rep.Secrets {
		if s.Target == "variable:repo:acme/api" {
			got = s.Result
		}
	}
	if got != "created" {
		t.Errorf("RELEASE_PAT_EXPIRES_AT in acme/api: %q, want created", got)
	}
	exp := testNow.Add(60 * 24 * time.Hour).UTC().Format(time.RFC3339)
	if v, _ := w.emu.GetVariable("repo:acme/api", "RELEASE_PAT_EXPIRES_AT"); v.Value != exp {
		t.Errorf("RELEASE_PAT_EXPIRES_AT in acme/api is %q, want %q", v.Value, exp)
	}
}

// A deploy key whose registration GitHub served but whose answer was lost
// is found among the repository's keys and adopted, without registering it
// again: one key, whose private half the target holds.
func TestRotateDeployKeyAnswerLost(t *testing.T) {
	const register = "POST /repos/{owner}/{repo}/keys"
	w := rotateWorld(t)
	w.emu.Inject(emulator.Fault{Op: register, Kind: emulator.LostAnswer})
	env := map[string]string{"GH_TOKEN": adminTok, "NEW_PAT": classicTok}
	res, _ := runRotation(t, []string{"rotate", "--api-url", w.apiURL, "--config", writePlan(t, rotatePlan), "--pacing", "off", "--json"}, env, true)
	if res.code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", res.code, res.stderr)
	}
	if n := w.emu.PendingFaults(); n != 0 {
		t.Fatalf("%d injected faults never fired", n)
	}
	registers := countRequests(w, func(r emulator.Request) bool { return r.Operation == register })
	if registers != 1 {
		t.Errorf("GitHub received %d deploy key registrations, want 1 (the lost answer adopted, not resent)", registers)
	}
	assertOneDeployKey(t, w, "INFRA_DEPLOY_KEY", "acme/infra", "repo:acme/web")
}

// Retiring the old deploy key is a DELETE: when its answer is lost, the
// resend meets a 404 because the first try did delete it. That is the
// key retired, not a failure, and the run exits 0 with one key left.
func TestRotateDeployKeyRetireAnswerLost(t *testing.T) {
	const retire = "DELETE /repos/{owner}/{repo}/keys/{key_id}"
	w := rotateWorld(t)
	env := map[string]string{"GH_TOKEN": adminTok, "NEW_PAT": classicTok}
	args := []string{"rotate", "--api-url", w.apiURL, "--config", writePlan(t, rotatePlan), "--pacing", "off", "--json"}
	if res, _ := runRotation(t, args, env, true); res.code != 0 {
		t.Fatalf("first rotation: exit %d; stderr:\n%s", res.code, res.stderr)
	}
	w.emu.Inject(emulator.Fault{Op: retire, Kind: emulator.LostAnswer})
	res, _ := runRotation(t, append(args, "--force"), env, true)
	if res.code != 0 {
		t.Fatalf("forced rotation: exit %d; stderr:\n%s", res.code, res.stderr)
	}
	if n := w.emu.FaultsFired(emulator.LostAnswer); n != 1 {
		t.Fatalf("the lost answer fired %d times, want 1", n)
	}
	retires := countRequests(w, func(r emulator.Request) bool { return r.Operation == retire })
	if retires != 2 {
		t.Errorf("GitHub received %d deletes of the old key, want 2 (the lost one and its resend)", retires)
	}
	assertOneDeployKey(t, w, "INFRA_DEPLOY_KEY", "acme/infra", "repo:acme/web")
}
