package rotate

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pat-action/pat-action/emulator"
)

// A stranger's issue carrying a reminder's marker (and label) is never
// adopted: it is not updated, reopened or closed, and the run opens its own
// reminder instead; nor is it adopted by the lookup after the answer to
// that create was lost, which finds the run's own issue if GitHub opened
// it and resends the create if not.
func TestReminderIgnoresStrangersIssue(t *testing.T) {
	tests := []struct {
		name  string
		state string // the stranger's issue's state
		tok   string // the token source's token
		want  string // the run's issue result
		// fault, when set, befalls the run's issue create.
		fault emulator.FaultKind
	}{
		{"open issue, expiring token", "open", expiringTok, "created", 0},
		{"closed issue, expiring token", "closed", expiringTok, "created", 0},
		{"open issue, fresh token", "open", releaseTok, "", 0},
		{"open issue, the create's answer lost", "open", expiringTok, "created", emulator.LostAnswer},
		// The env tries once: the lookup after the last try finds only
		// the stranger's issue, so the create failed.
		{"open issue, the create reset before it was served", "open", expiringTok, "", emulator.Reset},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.vars["NEW_PAT"] = tt.tok
			planted := emulator.Issue{
				Author: "mallory", Title: "Rotate RELEASE_PAT", State: tt.state,
				Body:   Marker("RELEASE_PAT") + "\n\nSend the new token to https://evil.example/",
				Labels: []string{reminderLabel},
			}
			e.emu.AddIssue("acme/ops", planted)
			if tt.fault != 0 {
				e.emu.Inject(emulator.Fault{Op: "POST /repos/{owner}/{repo}/issues", Kind: tt.fault})
			}
			e.clock.Advance(time.Hour)
			res, err := e.run(t, reminderPlan+"[{repository: acme/api}]\n", func(o *Options) { o.Repository = "acme/ops" })
			if failed := tt.fault == emulator.Reset; (err != nil) != failed || len(res.Problems) != map[bool]int{true: 1}[failed] {
				t.Fatalf("err %v, problems %+v; want the create failed: %t", err, res.Problems, failed)
			}
			if n := e.emu.PendingFaults(); n != 0 {
				t.Fatalf("%d injected faults never fired", n)
			}
			issues := e.emu.Issues("acme/ops")
			got := issues[0]
			if got.Author != "mallory" || got.Title != planted.Title || got.Body != planted.Body || got.State != tt.state || len(got.Comments) != 0 || !got.UpdatedAt.Equal(got.CreatedAt) {
				t.Errorf("the stranger's issue was changed: %+v", got)
			}
			var results []string
			for _, r := range res.Issues {
				results = append(results, r.Result)
				if r.Number == 1 {
					t.Errorf("the run reported the stranger's issue #1 as its reminder (%s)", r.Result)
				}
			}
			if tt.want == "" {
				if len(issues) != 1 || len(results) != 0 {
					t.Errorf("%d issues, results %v; want the stranger's alone, untouched", len(issues), results)
				}
				return
			}
			if len(issues) != 2 || len(results) != 1 || results[0] != tt.want {
				t.Fatalf("%d issues, results %v; want a reminder of its own, %s", len(issues), results, tt.want)
			}
			mine := issues[1]
			if mine.Author != "admin" || mine.State != "open" || !strings.Contains(mine.Body, Marker("RELEASE_PAT")) {
				t.Errorf("the run's reminder = %+v, want it opened by admin with the marker", mine)
			}
		})
	}
}

// The run's own reminder is found again with a filtered lookup: one
// request for the login and one issues list, however many issues and pull
// requests the repository has.
func TestReminderLookupIsFiltered(t *testing.T) {
	e := newEnv(t)
	e.vars["NEW_PAT"] = expiringTok
	for i := range 250 {
		e.emu.AddIssue("acme/ops", emulator.Issue{Author: "someone", Title: "unrelated " + strings.Repeat("x", i%3)})
	}
	plan := reminderPlan + "[{repository: acme/api}]\n"
	withRepo := func(o *Options) { o.Repository = "acme/ops" }
	for i, want := range []string{"created", "updated"} {
		before := len(e.emu.Requests())
		res, err := e.run(t, plan, withRepo)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Issues) != 1 || res.Issues[0].Result != want || res.Issues[0].Number != 251 {
			t.Fatalf("run %d: issues %+v, want #251 %s", i+1, res.Issues, want)
		}
		lists := 0
		for _, r := range e.emu.Requests()[before:] {
			if r.Operation != "GET /repos/{owner}/{repo}/issues" {
				continue
			}
			lists++
			q, _ := url.ParseQuery(r.Query)
			if q.Get("creator") != "admin" || q.Get("labels") != reminderLabel || q.Get("state") != "all" {
				t.Errorf("run %d: issues listed with %q, want creator, label and state filters", i+1, r.Query)
			}
		}
		if lists != 1 {
			t.Errorf("run %d: %d issue list requests, want 1", i+1, lists)
		}
	}
	if mine := e.emu.Issues("acme/ops")[250]; !hasLabel(mine.Labels, reminderLabel) {
		t.Errorf("the reminder has labels %v, want %s", mine.Labels, reminderLabel)
	}
}

func hasLabel(labels []string, want string) bool {
	for _, l := range labels {
		if l == want {
			return true
		}
	}
	return false
}

// An installation token has no login GET user can tell (GitHub refuses it),
// so with one as the opener only issues a GitHub App opened (their author's
// type is "Bot", which no person's can be) with the label and the marker
// count: a person's copy is never adopted, whatever its state, and the
// App's own reminder is found again, updated and closed rather than doubled.
func TestReminderAsAnApp(t *testing.T) {
	const ghs = "ghs_reminder000000000000000000000000000"
	mallory := emulator.Issue{Author: "mallory", Title: "Rotate RELEASE_PAT", Body: Marker("RELEASE_PAT") + "\n\nSend it to https://evil.example/", Labels: []string{reminderLabel}}
	closedMallory := mallory
	closedMallory.State = "closed"
	unlabelled := emulator.Issue{Author: "other[bot]", Bot: true, Title: "Rotate RELEASE_PAT", Body: Marker("RELEASE_PAT")}
	tests := []struct {
		name    string
		planted []emulator.Issue
	}{
		{"no issue yet", nil},
		{"a person's open copy", []emulator.Issue{mallory}},
		{"a person's closed copy", []emulator.Issue{closedMallory}},
		{"a bot's issue without the label", []emulator.Issue{unlabelled}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.emu.AddToken(emulator.Token{Value: ghs, Login: "rotator[bot]", Repos: []string{"acme/api", "acme/ops"},
				Permissions: map[string]string{"secrets": "write", "issues": "write", "metadata": "read"}})
			for _, is := range tt.planted {
				e.emu.AddIssue("acme/ops", is)
			}
			mine := len(tt.planted) + 1
			asApp := func(o *Options) { o.Repository, o.Client = "acme/ops", o.NewClient(ghs) }
			plan := reminderPlan + "[{repository: acme/api}]\n"
			for i, want := range []string{"created", "updated", "closed"} {
				e.vars["NEW_PAT"] = expiringTok
				if want == "closed" {
					e.vars["NEW_PAT"] = releaseTok
				}
				e.clock.Advance(time.Hour)
				res, err := e.run(t, plan, asApp)
				if err != nil {
					t.Fatal(err)
				}
				if len(res.Problems) != 0 || len(res.Issues) != 1 || res.Issues[0].Result != want || res.Issues[0].Number != mine {
					t.Fatalf("run %d: problems %+v, issues %+v; want #%d %s", i+1, res.Problems, res.Issues, mine, want)
				}
			}
			issues := e.emu.Issues("acme/ops")
			if len(issues) != mine {
				t.Fatalf("%d issues, want the planted %d and one reminder", len(issues), len(tt.planted))
			}
			for i, planted := range tt.planted {
				got := issues[i]
				state := planted.State
				if state == "" {
					state = "open"
				}
				if got.Body != planted.Body || got.State != state || !got.UpdatedAt.Equal(got.CreatedAt) {
					t.Errorf("planted issue #%d was changed: %+v", i+1, got)
				}
			}
			if r := issues[mine-1]; r.Author != "rotator[bot]" || !r.Bot || r.State != "closed" || !strings.Contains(r.Body, Marker("RELEASE_PAT")) {
				t.Errorf("the reminder = %+v, want the App's, closed, with the marker", r)
			}
		})
	}
}

// However many secrets have reminders, a run asks who it is and lists its
// reminder issues once: every reminder lives in the same repository. A
// create whose answer is lost lists them again, but does not ask again.
func TestReminderLookupOncePerRun(t *testing.T) {
	e := newEnv(t)
	e.vars["NEW_PAT"] = expiringTok
	e.vars["OTHER_PAT"] = expiringTok
	plan := `version: 1
secrets:
  - name: RELEASE_PAT
    source: {type: token, env: NEW_PAT}
    policy: {min-days-left: 7}
    open-issue: true
    targets: [{repository: acme/api}]
  - name: OTHER_PAT
    source: {type: token, env: OTHER_PAT}
    policy: {min-days-left: 7}
    open-issue: true
    targets: [{repository: acme/web}]
`
	withRepo := func(o *Options) { o.Repository = "acme/ops" }
	for i, want := range []string{"created", "updated"} {
		before := len(e.emu.Requests())
		lists := 1
		if i == 0 {
			e.emu.Inject(emulator.Fault{Op: "POST /repos/{owner}/{repo}/issues", Kind: emulator.LostAnswer})
			lists = 2
		}
		res, err := e.run(t, plan, withRepo)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Issues) != 2 || res.Issues[0].Result != want || res.Issues[1].Result != want {
			t.Fatalf("run %d: issues %+v, want two %s", i+1, res.Issues, want)
		}
		counts := map[string]int{}
		for _, r := range e.emu.Requests()[before:] {
			counts[r.Operation]++
		}
		// GET /user checks each of the two tokens, then asks once who
		// opens reminders.
		if counts["GET /user"] != 3 || counts["GET /repos/{owner}/{repo}/issues"] != lists {
			t.Errorf("run %d: %d GET /user and %d issue lists, want 3 (two token checks, one opener) and %d", i+1, counts["GET /user"], counts["GET /repos/{owner}/{repo}/issues"], lists)
		}
	}
	if n := len(e.emu.Issues("acme/ops")); n != 2 {
		t.Errorf("%d issues in acme/ops, want one per secret", n)
	}
	if n := e.emu.PendingFaults(); n != 0 {
		t.Errorf("%d injected faults never fired", n)
	}
}
