package app

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pat-action/pat-action/emulator"
)

// revokerTok is an installation token on acme that may also remove SAML
// authorizations: organization Administration write.
const revokerTok = "ghs_revoker00000000000000000000000000000"

// samlSeed are the ids samlWorld seeds, and which of them fail
// require-expiration.
type samlSeed struct {
	fine, classic []int64
	failing       map[int64]bool
	ssh           int64
}

// failingOf is the failing ids of ids, in order.
func (s samlSeed) failingOf(ids []int64) []int64 {
	var out []int64
	for _, id := range ids {
		if s.failing[id] {
			out = append(out, id)
		}
	}
	return out
}

// samlWorld is acme with nFine fine-grained PATs and nClassic classic PATs
// authorized for SAML, the first failFine and failClassic of which never
// expire (and fail require-expiration), and an SSH key authorized for SAML.
func samlWorld(t *testing.T, nFine, failFine, nClassic, failClassic int) (*world, samlSeed) {
	t.Helper()
	w := newWorld(t, emulator.Options{}, append(inventoryTokens(), emulator.Token{Value: revokerTok, Login: "revoker[bot]", ExpiresAt: testNow.Add(time.Hour),
		Permissions: map[string]string{"organization_personal_access_tokens": "write", "organization_personal_access_token_requests": "write", "organization_administration": "write"}})...)
	t.Cleanup(func() { assertGitHubOperations(t, w) })
	s := samlSeed{failing: map[int64]bool{}}
	for i := range nFine {
		p := emulator.GrantedPAT{Org: "acme", Owner: fmt.Sprintf("fine%02d", i), AccessGrantedAt: days(-1), ExpiresAt: days(60)}
		if i < failFine {
			p.ExpiresAt = time.Time{}
		}
		id := w.emu.AddGrantedPAT(p)
		s.fine = append(s.fine, id)
		s.failing[id] = i < failFine
	}
	for i := range nClassic {
		c := emulator.CredentialAuthorization{Org: "acme", Login: fmt.Sprintf("classic%02d", i), Token: fmt.Sprintf("ghp_classic%029d", i),
			Scopes: []string{"repo"}, AuthorizedAt: days(-10), AccessedAt: days(-1), ExpiresAt: days(60)}
		if i < failClassic {
			c.ExpiresAt = time.Time{}
		}
		id := w.emu.AddCredentialAuthorization(c)
		s.classic = append(s.classic, id)
		s.failing[id] = i < failClassic
	}
	s.ssh = w.emu.AddCredentialAuthorization(emulator.CredentialAuthorization{Org: "acme", Login: "classic00", Type: "SSH key", AuthorizedAt: days(-10)})
	return w, s
}

// removed is the credential ids of the DELETEs sent, in order.
func (s *sent) removed(t *testing.T) []int64 {
	t.Helper()
	var out []int64
	for _, r := range s.reqs {
		if r.Method != "DELETE" {
			continue
		}
		_, last, ok := strings.Cut(r.Path, "/orgs/acme/credential-authorizations/")
		id, err := strconv.ParseInt(last, 10, 64)
		if !ok || err != nil {
			t.Errorf("DELETE %s is not a SAML authorization's removal", r.Path)
			continue
		}
		out = append(out, id)
	}
	return out
}

// revokerEnv is the environment of a run whose App may remove SAML
// authorizations.
var revokerEnv = map[string]string{"PAT_ACTION_ADMIN_TOKEN": revokerTok}

// Under revoke, each failing classic PAT authorized for SAML loses its
// authorization, one DELETE each, beside the fine-grained revocations; a
// dry run says would-revoke and sends nothing; report and deny-requests
// never remove anything.
func TestTokensRevokeClassicSSO(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		action string // of each failing token; "" for none
		done   bool   // the failing tokens lost their access
	}{
		{"revoke", []string{"--enforce", "revoke"}, exitOK, "revoked", true},
		{"revoke dry run", []string{"--enforce", "revoke", "--dry-run"}, exitPolicy, "would-revoke", false},
		{"report", []string{"--enforce", "report"}, exitPolicy, "", false},
		{"deny-requests", []string{"--enforce", "deny-requests"}, exitPolicy, "", false},
		{"deny-requests dry run", []string{"--enforce", "deny-requests", "--dry-run"}, exitPolicy, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, s := samlWorld(t, 2, 1, 3, 2)
			res, rep, tr := runInventorySent(t, w, revokerEnv, append([]string{"--require-expiration"}, tt.args...)...)
			if res.code != tt.code {
				t.Errorf("exit %d, want %d\nstderr: %s", res.code, tt.code, res.stderr)
			}
			failFine, failClassic := s.failingOf(s.fine), s.failingOf(s.classic)
			want := map[int64]string{}
			if tt.action != "" {
				for _, id := range append(slices.Clone(failFine), failClassic...) {
					want[id] = tt.action
				}
			}
			if d := cmp.Diff(want, rep.actions()); d != "" {
				t.Errorf("actions (-want +got)\n%s", d)
			}
			wantRemoved, wantPosts, wantRevoked := []int64(nil), 0, 0
			wantClassic, wantFine := append(slices.Clone(s.classic), s.ssh), s.fine
			if tt.done {
				wantRemoved, wantPosts, wantRevoked = failClassic, 1, len(failFine)+len(failClassic)
				wantClassic = []int64{s.classic[2], s.ssh}
				wantFine = []int64{s.fine[1]}
			}
			if d := cmp.Diff(wantRemoved, tr.removed(t)); d != "" {
				t.Errorf("SAML authorizations removed (-want +got)\n%s", d)
			}
			if d := cmp.Diff(wantClassic, w.emu.CredentialAuthorizations("acme")); d != "" {
				t.Errorf("SAML authorizations acme holds (-want +got)\n%s", d)
			}
			if d := cmp.Diff(wantFine, w.emu.GrantedPATs("acme")); d != "" {
				t.Errorf("grants acme holds (-want +got)\n%s", d)
			}
			if n := tr.count("POST", ""); n != wantPosts {
				t.Errorf("%d POSTs, want %d", n, wantPosts)
			}
			if rep.Summary.Revoked != wantRevoked || rep.Summary.Failed != 3 || len(rep.Problems) != 0 {
				t.Errorf("summary %+v, problems %v: want %d revoked of 3 failing, no problem", rep.Summary, rep.Problems, wantRevoked)
			}
		})
	}
}

// max-revocations caps the revocations of both kinds together: over the
// cap nothing is revoked, neither kind, unless forced or the cap raised.
func TestTokensRevocationCapCountsClassic(t *testing.T) {
	tests := []struct {
		name                  string
		failFine, failClassic int
		args                  []string
		code                  int
		revoked               bool
	}{
		{"both kinds over the default cap", 15, 10, nil, exitPolicy, false},
		{"classic alone over the cap", 0, 21, nil, exitPolicy, false},
		{"both kinds at the cap", 15, 5, nil, exitOK, true},
		{"cap raised", 15, 10, []string{"--max-revocations", "25"}, exitOK, true},
		{"forced", 15, 10, []string{"--force"}, exitOK, true},
		{"dry run over the cap says so too", 15, 10, []string{"--dry-run"}, exitPolicy, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, s := samlWorld(t, tt.failFine+2, tt.failFine, tt.failClassic+2, tt.failClassic)
			res, rep, tr := runInventorySent(t, w, revokerEnv, append([]string{"--require-expiration", "--enforce", "revoke"}, tt.args...)...)
			if res.code != tt.code {
				t.Errorf("exit %d, want %d\nstderr: %s", res.code, tt.code, res.stderr)
			}
			fine, classic := len(w.emu.GrantedPATs("acme")), len(w.emu.CredentialAuthorizations("acme"))
			if !tt.revoked {
				if n, d := tr.count("POST", ""), len(tr.removed(t)); n != 0 || d != 0 {
					t.Errorf("%d POSTs and %d DELETEs over the cap, want none", n, d)
				}
				if fine != len(s.fine) || classic != len(s.classic)+1 || rep.Summary.Revoked != 0 {
					t.Errorf("%d grants and %d SAML authorizations left, %d revoked: want all there", fine, classic, rep.Summary.Revoked)
				}
				if want := fmt.Sprintf("%d fine-grained PATs and %d classic PATs", tt.failFine, tt.failClassic); !strings.Contains(res.stderr, "more than max-revocations (20)") || !strings.Contains(res.stderr, want) {
					t.Errorf("stderr does not name the cap and %q:\n%s", want, res.stderr)
				}
				for id, a := range rep.actions() {
					t.Errorf("token %d: action %s over the cap, want none", id, a)
				}
				return
			}
			if fine != 2 || classic != 3 || rep.Summary.Revoked != tt.failFine+tt.failClassic {
				t.Errorf("%d grants and %d SAML authorizations left, %d revoked: want 2, 3 (with the SSH key) and %d", fine, classic, rep.Summary.Revoked, tt.failFine+tt.failClassic)
			}
			if d := cmp.Diff(s.failingOf(s.classic), tr.removed(t)); d != "" {
				t.Errorf("SAML authorizations removed (-want +got)\n%s", d)
			}
		})
	}
}

// A removal GitHub refuses is a problem of its own, says what GitHub
// wants, and leaves the authorization as it was; the other removals and
// the fine-grained revocations still go, and the run exits 3.
func TestTokensClassicRemovalFails(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		fault   bool // 404 on the first failing authorization only
		refused int  // how many of the two failing authorizations GitHub refuses
		msg     string
	}{
		{"an App that may only read Administration", map[string]string{"PAT_ACTION_ADMIN_TOKEN": inventoryTok}, false, 2,
			`(GitHub removes a SAML authorization for a GitHub App with the organization permission "Administration" (write)`},
		{"one authorization is gone", revokerEnv, true, 1, "404 Not Found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, s := samlWorld(t, 2, 1, 3, 2)
			failClassic := s.failingOf(s.classic)
			if tt.fault {
				w.emu.Inject(emulator.Fault{Op: "DELETE /orgs/{org}/credential-authorizations/{credential_id}", Kind: emulator.NotFound404,
					Match: fmt.Sprintf("/credential-authorizations/%d", failClassic[0])})
			}
			res, rep, tr := runInventorySent(t, w, tt.env, "--require-expiration", "--enforce", "revoke")
			if res.code != exitPartial {
				t.Errorf("exit %d, want 3\nstderr: %s", res.code, res.stderr)
			}
			if d := cmp.Diff(failClassic, tr.removed(t)); d != "" {
				t.Errorf("SAML authorizations asked to be removed (-want +got)\n%s", d)
			}
			refused := failClassic[:tt.refused]
			want := map[int64]string{s.fine[0]: "revoked"}
			for _, id := range failClassic[tt.refused:] {
				want[id] = "revoked"
			}
			if d := cmp.Diff(want, rep.actions()); d != "" {
				t.Errorf("actions (-want +got)\n%s", d)
			}
			held := w.emu.CredentialAuthorizations("acme")
			for _, id := range failClassic {
				if slices.Contains(held, id) != slices.Contains(refused, id) {
					t.Errorf("SAML authorization %d held = %v, want it held exactly when GitHub refused its removal", id, slices.Contains(held, id))
				}
			}
			if len(rep.Problems) != tt.refused {
				t.Fatalf("problems %+v, want one per refused removal (%d)", rep.Problems, tt.refused)
			}
			for i, p := range rep.Problems {
				if p.Target != fmt.Sprintf("classic-sso %d", refused[i]) || !strings.Contains(p.Error, tt.msg) {
					t.Errorf("problem %+v, want classic-sso %d saying %q", p, refused[i], tt.msg)
				}
			}
			if !strings.Contains(res.stderr, fmt.Sprintf("problem  classic-sso %d: remove the SAML authorization of classic PAT %d (classic00) from acme", refused[0], refused[0])) {
				t.Errorf("stderr does not name the refused removal:\n%s", res.stderr)
			}
		})
	}
}

// In a workflow the classic removals count in tokens-revoked, show in the
// summary table and are warnings, not errors.
func TestTokensActionRevokesClassic(t *testing.T) {
	w, s := samlWorld(t, 2, 1, 3, 2)
	r := newRunner(t, map[string]string{"mode": "tokens", "admin-token": revokerTok, "organization": "acme", "api-url": w.apiURL,
		"require-expiration": "true", "enforce": "revoke"})
	res := run(t, nil, r.env, "")
	if res.code != exitOK {
		t.Fatalf("exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	got := parseOutputs(t, r.read(t, r.outputFile))
	for name, want := range map[string]string{"tokens-total": "5", "tokens-failed": "3", "tokens-revoked": "3"} {
		if got[name] != want {
			t.Errorf("output %s = %q, want %q", name, got[name], want)
		}
	}
	c := s.failingOf(s.classic)[1]
	row := fmt.Sprintf("| classic01 | classic-sso | %d | never | 2026-", c)
	summary := r.read(t, r.summary)
	if i := strings.Index(summary, row); i < 0 || !strings.Contains(summary[i:i+200], "| revoked |") {
		t.Errorf("summary lacks a revoked row %q:\n%s", row, summary)
	}
	if want := fmt.Sprintf("::warning::classic-sso token %d of classic01 fails the policy", c); !strings.Contains(res.stdout, want) {
		t.Errorf("no annotation %q in:\n%s", want, res.stdout)
	}
	if len(w.emu.CredentialAuthorizations("acme")) != 2 {
		t.Errorf("SAML authorizations left %v, want the passing one and the SSH key", w.emu.CredentialAuthorizations("acme"))
	}
}

// GitHub shows 10 error and 10 warning annotations a step: every one the
// step makes counts, the run's own error and a warning about an input that
// does not apply included. Over 10 errors and 10 warnings at once, each
// kind stops at 10, the tenth counting the rest, and the run's error is
// among those shown.
func TestAnnotationsCappedBothKinds(t *testing.T) {
	// 12 fine-grained PATs revoked (warnings); 12 classic removals GitHub
	// refuses (Administration read only): 12 problems and 12 tokens left
	// failing (errors), and the run's error.
	w, _ := samlWorld(t, 13, 12, 13, 12)
	r := newRunner(t, map[string]string{"mode": "tokens", "admin-token": inventoryTok, "organization": "acme", "api-url": w.apiURL,
		"require-expiration": "true", "enforce": "revoke", "max-revocations": "30", "concurrency": "5"})
	res := run(t, nil, r.env, "")
	if res.code != exitPartial {
		t.Fatalf("exit %d, want %d\n%s%s", res.code, exitPartial, res.stdout, res.stderr)
	}
	var errs, warns []string
	for _, line := range strings.Split(res.stdout, "\n") {
		switch {
		case strings.HasPrefix(line, "::error"):
			errs = append(errs, line)
		case strings.HasPrefix(line, "::warning"):
			warns = append(warns, line)
		}
	}
	for kind, got := range map[string][]string{"errors": errs, "warnings": warns} {
		if len(got) != 10 || !strings.Contains(got[9], "more "+kind+", not shown as annotations") {
			t.Errorf("%d %s annotations, want 10, the tenth counting the rest:\n%s", len(got), kind, strings.Join(got, "\n"))
		}
	}
	if len(errs) > 0 && !strings.Contains(errs[0], "remove the SAML authorization of classic PATs from acme: 12 of 12 failed") {
		t.Errorf("the first error annotation is not the run's error:\n%s", strings.Join(errs, "\n"))
	}
	if !strings.Contains(strings.Join(warns, "\n"), "input concurrency does not apply to mode tokens") {
		t.Errorf("the warning about the input is not shown:\n%s", strings.Join(warns, "\n"))
	}
}

// force lifts the cap, dry-run still sends nothing: over the cap, a forced
// dry run says would-revoke of every failing token of both kinds and
// changes nothing. A removal whose answer was lost meets a 404 when sent
// again: that is the authorization removed, and the token is revoked.
func TestTokensClassicDryRunForcedAndAnswerLost(t *testing.T) {
	t.Run("dry run forced over the cap", func(t *testing.T) {
		w, s := samlWorld(t, 17, 15, 12, 10)
		res, rep, tr := runInventorySent(t, w, revokerEnv, "--require-expiration", "--enforce", "revoke", "--dry-run", "--force")
		if res.code != exitPolicy {
			t.Errorf("exit %d, want %d\nstderr: %s", res.code, exitPolicy, res.stderr)
		}
		want := map[int64]string{}
		for _, id := range append(s.failingOf(s.fine), s.failingOf(s.classic)...) {
			want[id] = "would-revoke"
		}
		if d := cmp.Diff(want, rep.actions()); d != "" {
			t.Errorf("actions (-want +got)\n%s", d)
		}
		if n, d := tr.count("POST", ""), len(tr.removed(t)); n != 0 || d != 0 {
			t.Errorf("%d POSTs and %d DELETEs in a dry run, want none", n, d)
		}
		if len(w.emu.GrantedPATs("acme")) != len(s.fine) || len(w.emu.CredentialAuthorizations("acme")) != len(s.classic)+1 {
			t.Errorf("a dry run changed what acme holds")
		}
	})
	t.Run("removal's answer lost", func(t *testing.T) {
		w, s := samlWorld(t, 1, 0, 2, 1)
		failing := s.failingOf(s.classic)
		w.emu.Inject(emulator.Fault{Op: "DELETE /orgs/{org}/credential-authorizations/{credential_id}", Kind: emulator.LostAnswer})
		res, rep, tr := runInventorySent(t, w, revokerEnv, "--require-expiration", "--enforce", "revoke")
		if res.code != exitOK {
			t.Errorf("exit %d, want 0\nstderr: %s", res.code, res.stderr)
		}
		if n := w.emu.FaultsFired(emulator.LostAnswer); n != 1 {
			t.Fatalf("the lost answer fired %d times, want 1", n)
		}
		if d := cmp.Diff(map[int64]string{failing[0]: "revoked"}, rep.actions()); d != "" {
			t.Errorf("actions (-want +got)\n%s", d)
		}
		if d := cmp.Diff([]int64{failing[0], failing[0]}, tr.removed(t)); d != "" {
			t.Errorf("removals sent (-want +got)\n%s", d)
		}
		if rep.Summary.Revoked != 1 || len(rep.Problems) != 0 {
			t.Errorf("summary %+v, problems %v: want 1 revoked, no problem", rep.Summary, rep.Problems)
		}
	})
}
