package app

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pat-action/pat-action/emulator"
)

// An OAuth app's token or a GitHub App's user token as the admin token is
// refused, like a PAT, before any request: GitHub serves the lists to
// installation tokens alone.
func TestTokensAdminNotAnInstallation(t *testing.T) {
	for name, tok := range map[string]string{
		"oauth":          "gho_" + strings.Repeat("k", 36),
		"user-to-server": "ghu_" + strings.Repeat("k", 36),
	} {
		t.Run(name, func(t *testing.T) {
			w := newWorld(t, emulator.Options{}, inventoryTokens()...)
			res := run(t, []string{"tokens", "--organization", "acme", "--api-url", w.apiURL}, map[string]string{"PAT_ACTION_ADMIN_TOKEN": tok}, "")
			if res.code != exitUsage || !strings.Contains(res.stderr, "GitHub Apps alone") {
				t.Errorf("exit %d, want %d saying GitHub Apps alone\nstderr: %s", res.code, exitUsage, res.stderr)
			}
			if n := len(w.emu.Requests()); n != 0 {
				t.Errorf("%d requests, want none", n)
			}
		})
	}
}

// 1,000 pending requests that fail are listed in 10 pages and denied in
// 10 requests of at most 100 ids (GitHub's most), each denied once; an
// organization of 5,000 grants costs 50 list pages, not one per token.
func TestTokensManyRequests(t *testing.T) {
	w := newWorld(t, emulator.Options{}, inventoryTokens()...)
	t.Cleanup(func() { assertGitHubOperations(t, w) })
	for i := range 1000 {
		w.emu.AddPATRequest(emulator.PATRequest{Org: "acme", Owner: fmt.Sprintf("req%04d", i), CreatedAt: days(-1)})
	}
	for i := range 5000 {
		w.emu.AddGrantedPAT(emulator.GrantedPAT{Org: "acme", Owner: fmt.Sprintf("user%04d", i), AccessGrantedAt: days(-1), ExpiresAt: days(60)})
	}
	res, rep, tr := runInventorySent(t, w, nil, "--require-expiration", "--enforce", "deny-requests")
	if res.code != exitOK {
		t.Fatalf("exit %d, want 0 (every failing request denied)\nstderr: %s", res.code, res.stderr)
	}
	if rep.Summary.Total != 6000 || rep.Summary.Failed != 1000 || rep.Summary.Denied != 1000 {
		t.Errorf("summary %+v, want 6000 listed, 1000 failed and denied", rep.Summary)
	}
	if n := tr.count("GET", "/personal-access-token-requests"); n != 10 {
		t.Errorf("%d request list pages for 1,000 requests, want 10", n)
	}
	if n := tr.count("GET", "/personal-access-tokens"); n != 50 {
		t.Errorf("%d grant list pages for 5,000 grants, want 50", n)
	}
	if n := tr.count("POST", "/personal-access-token-requests"); n != 10 {
		t.Errorf("%d deny requests for 1,000 requests, want 10 batches of 100", n)
	}
	for _, r := range w.emu.PATRequests("acme") {
		if r.Status != "denied" {
			t.Fatalf("request of %s is %s, want denied", r.Owner, r.Status)
		}
	}
}

// GitHub drops a job summary over 1 MiB whole: the table of a 5,000-token
// organization whose every token fails stays under it, shows failing
// tokens before passing ones, and says how many rows it left out.
func TestTokensSummaryFitsGitHubsLimit(t *testing.T) {
	w := newWorld(t, emulator.Options{}, inventoryTokens()...)
	for i := range 5000 {
		w.emu.AddGrantedPAT(emulator.GrantedPAT{Org: "acme", Owner: fmt.Sprintf("a-rather-long-login-name-%04d", i), AccessGrantedAt: days(-1),
			Permissions: map[string]map[string]string{"repository": {"administration": "write", "secrets": "write", "workflows": "write"}}})
	}
	w.emu.AddGrantedPAT(emulator.GrantedPAT{Org: "acme", Owner: "zz-passes", AccessGrantedAt: days(-1), ExpiresAt: days(60)})
	r := newRunner(t, map[string]string{"mode": "tokens", "admin-token": inventoryTok, "organization": "acme", "api-url": w.apiURL, "pacing": "off",
		"require-expiration": "true", "max-idle-days": "1", "forbidden-permissions": "administration:write,secrets:read,workflows:write"})
	res := run(t, nil, r.env, "")
	if res.code != exitPolicy {
		t.Fatalf("exit %d, want %d", res.code, exitPolicy)
	}
	summary := r.read(t, r.summary)
	if len(summary) > 1<<20 {
		t.Errorf("job summary of %d bytes, over GitHub's 1 MiB: GitHub would drop it", len(summary))
	}
	if strings.Contains(summary, "zz-passes") {
		t.Error("a passing token took a row while failing ones were left out")
	}
	if !strings.Contains(summary, "more tokens not shown") {
		t.Error("the summary does not say it left rows out")
	}
}
