package state

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v45/github"

	"github.com/pat-action/pat-action/emulator"
	"github.com/pat-action/pat-action/ghclient"
	"github.com/pat-action/pat-action/plan"
)

const adminTok = "ghp_admin00000000000000000000000000000000"

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func newEmu(t *testing.T) (*emulator.Server, *github.Client) {
	t.Helper()
	emu := emulator.New(emulator.Options{Now: func() time.Time { return now }})
	emu.AddOrg("acme")
	emu.AddRepo(emulator.Repo{Owner: "acme", Name: "ops"})
	emu.AddToken(emulator.Token{Value: adminTok, Login: "admin", Scopes: []string{"repo", "admin:org"}})
	srv, apiURL := emu.Start()
	t.Cleanup(srv.Close)
	api, err := ghclient.ParseAPIURL(apiURL)
	if err != nil {
		t.Fatal(err)
	}
	return emu, ghclient.New(api, ghclient.Options{Token: adminTok})
}

func open(t *testing.T, c *github.Client, shard string) *Store {
	t.Helper()
	s, err := Open(context.Background(), c, Options{Repository: "acme/ops", Shard: shard, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// A plan of 10,000 targets fits in one variable, under GitHub's 48 KB, and
// reads back whole.
func TestTenThousandTargets(t *testing.T) {
	emu, c := newEmu(t)
	sec := Secret{Name: "WEBHOOK_SECRET", Gen: 7, Since: now, Targets: map[string]int{}}
	for i := range 10000 {
		g := 7
		if i%97 == 0 {
			g = 6 // some behind: the generations must survive too
		}
		sec.Targets[fmt.Sprintf("repo:acme-corporation/service-%05d", i)] = g
	}
	s := open(t, c, "1/1")
	if err := s.Save(context.Background(), sec); err != nil {
		t.Fatal(err)
	}
	v, ok := emu.GetVariable("repo:acme/ops", VarName("WEBHOOK_SECRET", "1/1"))
	if !ok {
		t.Fatal("no state variable written")
	}
	if len(v.Value) > MaxValue {
		t.Fatalf("the variable is %d bytes, more than GitHub's %d", len(v.Value), MaxValue)
	}
	t.Logf("10,000 targets: %d bytes", len(v.Value))
	got, ok := open(t, c, "1/1").Secret("webhook_secret")
	if !ok {
		t.Fatal("the state does not know the secret")
	}
	if diff := cmp.Diff(sec, got); diff != "" {
		t.Errorf("read back (-want +got):\n%s", diff)
	}
}

// Shards of a matrix write at the same time and lose nothing: each writes
// its own variable, and a reader merges them.
func TestShardsWriteAtOnce(t *testing.T) {
	emu, c := newEmu(t)
	const n = 4
	stores := make([]*Store, n)
	for i := range n {
		stores[i] = open(t, c, fmt.Sprintf("%d/%d", i+1, n))
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	want := map[string]int{}
	for i := range n {
		sec := Secret{Name: "RELEASE_PAT", Gen: 1, Since: now, Salt: "s", FP: "f", Targets: map[string]int{}}
		for j := range 50 {
			sec.Targets[fmt.Sprintf("repo:acme/r%d-%d", i, j)] = 1
			want[fmt.Sprintf("repo:acme/r%d-%d", i, j)] = 1
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = stores[i].Save(context.Background(), sec)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("shard %d: %v", i+1, err)
		}
	}
	if got := len(emu.VariableNames("repo:acme/ops")); got != n {
		t.Errorf("%d variables, want one per shard (%d)", got, n)
	}
	got, _ := open(t, c, "1/1").Secret("RELEASE_PAT")
	if diff := cmp.Diff(want, got.Targets); diff != "" {
		t.Errorf("merged targets (-want +got):\n%s", diff)
	}
}

// Two runs of the same shard (overlapping workflow runs) write the same
// variable: the second notices the first wrote since it read, and keeps
// what the first wrote instead of overwriting it.
func TestLostUpdateDetected(t *testing.T) {
	_, c := newEmu(t)
	a, b := open(t, c, "1/1"), open(t, c, "1/1")
	if err := a.Save(context.Background(), Secret{Name: "X", Gen: 2, Targets: map[string]int{"repo:acme/a": 2}}); err != nil {
		t.Fatal(err)
	}
	if err := b.Save(context.Background(), Secret{Name: "X", Gen: 2, Targets: map[string]int{"repo:acme/b": 2}}); err != nil {
		t.Fatal(err)
	}
	got, _ := open(t, c, "1/1").Secret("X")
	want := map[string]int{"repo:acme/a": 2, "repo:acme/b": 2}
	if diff := cmp.Diff(want, got.Targets); diff != "" {
		t.Errorf("after two overlapping runs (-want +got):\n%s", diff)
	}
	// And a third, from a's view, keeps b's too.
	if err := a.Save(context.Background(), Secret{Name: "X", Gen: 2, Targets: map[string]int{"repo:acme/a": 2, "repo:acme/c": 2}}); err != nil {
		t.Fatal(err)
	}
	got, _ = open(t, c, "1/1").Secret("X")
	want["repo:acme/c"] = 2
	if diff := cmp.Diff(want, got.Targets); diff != "" {
		t.Errorf("after a third write (-want +got):\n%s", diff)
	}
}

// A variable that cannot be read (edited by hand, or not pat-action's) is
// ignored and named, never read as an empty state, and it does not stop
// the other secrets' state: one bad variable must not stop every secret.
// Its secret reads as having no state, and its shard's next write
// replaces it.
func TestUnreadableState(t *testing.T) {
	tests := []struct {
		name, value, want string
	}{
		{"not ours", "hello", "not written by this version"},
		{"bad base64", "1:!!!", "base64"},
		{"not gzip", "1:aGVsbG8=", "gunzip"},
		{"malformed signature", "s1:!!!:1:aGVsbG8=", "malformed signature"},
		{"malformed head", "c:Z:1:hand-written", "a malformed head of parts"},
		{"head of parts that are not there", "c:A:2:hand-written", "part PAT_ACTION_STATEPART_X_1_1_A1 is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emu, c := newEmu(t)
			good := open(t, c, "1/1")
			if err := good.Save(context.Background(), Secret{Name: "Y", Gen: 1, Targets: map[string]int{"repo:acme/a": 1}}); err != nil {
				t.Fatal(err)
			}
			emu.SetVariable("repo:acme/ops", "PAT_ACTION_STATE_X_1_1", tt.value, now)
			s := open(t, c, "1/1")
			u := s.Untrusted()
			if len(u) != 1 || u[0].Variable != "PAT_ACTION_STATE_X_1_1" || !u[0].Unreadable || !strings.Contains(u[0].Why, tt.want) {
				t.Errorf("Untrusted() = %+v, want PAT_ACTION_STATE_X_1_1 unreadable, saying %q", u, tt.want)
			}
			if len(u) == 1 && strings.Contains(u[0].Why, tt.value) {
				t.Errorf("Untrusted() quotes the variable's value: %s", u[0].Why)
			}
			if _, ok := s.Secret("X"); ok {
				t.Error("the unreadable variable's secret has a state")
			}
			if y, ok := s.Secret("Y"); !ok || y.Targets["repo:acme/a"] != 1 {
				t.Errorf("Secret(Y) = %+v, %t: the good variable was not read", y, ok)
			}
			if err := s.Save(context.Background(), Secret{Name: "X", Gen: 1, Targets: map[string]int{"repo:acme/b": 1}}); err != nil {
				t.Fatalf("replace the unreadable variable: %v", err)
			}
			again := open(t, c, "1/1")
			if x, ok := again.Secret("X"); !ok || x.Targets["repo:acme/b"] != 1 || len(again.Untrusted()) != 0 {
				t.Errorf("after the rewrite: Secret(X) = %+v, %t, untrusted %v; want it read back and nothing ignored", x, ok, again.Untrusted())
			}
		})
	}
	t.Run("repository not found", func(t *testing.T) {
		_, c := newEmu(t)
		if _, err := Open(context.Background(), c, Options{Repository: "acme/gone"}); err == nil || !strings.Contains(err.Error(), "acme/gone") {
			t.Errorf("Open: %v, want an error naming acme/gone", err)
		}
	})
}

// A fingerprint is short, keyed by the salt and never the value; the
// variable holds neither the value nor anything longer than 8 bytes of a
// hash of it.
func TestFingerprint(t *testing.T) {
	const tok = "ghp_secret000000000000000000000000000000"
	fp := Fingerprint("salt-a", tok)
	if len(fp) != 16 || strings.Contains(fp, "secret") {
		t.Errorf("fingerprint %q: want 16 hex digits", fp)
	}
	if fp == Fingerprint("salt-b", tok) || fp != Fingerprint("salt-a", tok) || fp == Fingerprint("salt-a", tok+"x") {
		t.Error("the fingerprint does not depend on exactly the salt and the value")
	}
	emu, c := newEmu(t)
	if err := open(t, c, "1/1").Save(context.Background(), Secret{Name: "P", Gen: 1, Salt: "salt-a", FP: fp, Targets: map[string]int{"repo:acme/api": 1}}); err != nil {
		t.Fatal(err)
	}
	v, _ := emu.GetVariable("repo:acme/ops", VarName("P", "1/1"))
	d, err := decode(v.Value)
	if err != nil {
		t.Fatal(err)
	}
	raw := fmt.Sprintf("%+v %s", d, v.Value)
	if strings.Contains(raw, tok) || strings.Contains(raw, tok[4:]) {
		t.Error("the state holds the token")
	}
}

// A state larger than one variable is kept in parts, and a write killed
// before its head was written leaves the previous state whole.
func TestStateInParts(t *testing.T) {
	emu, c := newEmu(t)
	sec := Secret{Name: "BIG", Gen: 3, Since: now, Targets: map[string]int{}}
	for i := range 10000 {
		// Names as diverse as real ones: nothing for gzip to share.
		sec.Targets[fmt.Sprintf("repo:acme/%x", sha256.Sum256([]byte(strconv.Itoa(i))))[:40]] = 3
	}
	if err := open(t, c, "1/1").Save(context.Background(), sec); err != nil {
		t.Fatal(err)
	}
	head, _ := emu.GetVariable("repo:acme/ops", VarName("BIG", "1/1"))
	if !strings.HasPrefix(head.Value, "c:A:") {
		t.Fatalf("head %q: want the parts of slot A", head.Value)
	}
	for _, n := range emu.VariableNames("repo:acme/ops") {
		if v, _ := emu.GetVariable("repo:acme/ops", n); len(v.Value) > MaxValue {
			t.Errorf("%s is %d bytes, more than GitHub's %d", n, len(v.Value), MaxValue)
		}
	}
	got, _ := open(t, c, "1/1").Secret("BIG")
	if diff := cmp.Diff(sec, got); diff != "" {
		t.Fatalf("read back (-want +got):\n%s", diff)
	}
	// The next write goes to slot B; a kill before its head is written
	// leaves slot B torn and the head on A, which still reads whole.
	sec.Gen = 4
	if err := open(t, c, "1/1").Save(context.Background(), sec); err != nil {
		t.Fatal(err)
	}
	if head, _ = emu.GetVariable("repo:acme/ops", VarName("BIG", "1/1")); !strings.HasPrefix(head.Value, "c:B:") {
		t.Fatalf("head %q: want slot B", head.Value)
	}
	emu.SetVariable("repo:acme/ops", partName(VarName("BIG", "1/1"), "A", 1), "torn:half a write", now)
	got, _ = open(t, c, "1/1").Secret("BIG")
	if got.Gen != 4 || len(got.Targets) != 10000 {
		t.Errorf("after a torn write to the other slot: gen %d, %d targets; want 4 and 10000", got.Gen, len(got.Targets))
	}
}

// interleave sends every request through next, but hands the first PATCH
// to onPatch with a function that sends it: a test decides what happens
// around it.
type interleave struct {
	next    http.RoundTripper
	onPatch func(send func() (*http.Response, error)) (*http.Response, error)
	fired   bool
}

func (t *interleave) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method != http.MethodPatch || t.fired || t.onPatch == nil {
		return t.next.RoundTrip(r)
	}
	t.fired = true
	return t.onPatch(func() (*http.Response, error) { return t.next.RoundTrip(r) })
}

// Two runs of the same shard read the same state; b writes over what a
// just wrote, before a reads its write back. a sees the overwrite and
// writes again: what a changed must be in that second write, merged with
// what b wrote, not lost while a reports success.
func TestOverwrittenWriteMergedAgain(t *testing.T) {
	emu, c := newEmu(t)
	srv, apiURL := emu.Start()
	t.Cleanup(srv.Close)
	api, err := ghclient.ParseAPIURL(apiURL)
	if err != nil {
		t.Fatal(err)
	}
	v0 := Secret{Name: "X", Gen: 1, Since: now, Targets: map[string]int{"repo:acme/a": 1, "repo:acme/b": 1}}
	if err := open(t, c, "1/1").Save(context.Background(), v0); err != nil {
		t.Fatal(err)
	}
	ta, tb := &interleave{next: http.DefaultTransport}, &interleave{next: http.DefaultTransport}
	a, b := open(t, ghclient.New(api, ghclient.Options{Token: adminTok, Transport: ta}), "1/1"), open(t, ghclient.New(api, ghclient.Options{Token: adminTok, Transport: tb}), "1/1")
	later := now.Add(time.Hour)
	// a rotates: a new generation in repo:acme/a. b adds repo:acme/c.
	ours := Secret{Name: "X", Gen: 2, Since: later, Targets: map[string]int{"repo:acme/a": 2, "repo:acme/b": 1}}
	theirs := Secret{Name: "X", Gen: 1, Since: now, Targets: map[string]int{"repo:acme/a": 1, "repo:acme/b": 1, "repo:acme/c": 1}}
	var errA error
	tb.onPatch = func(sendB func() (*http.Response, error)) (*http.Response, error) {
		// b has read v0 and is about to write; a writes first, and b's
		// write lands right after a's, before a reads back.
		var respB *http.Response
		var errB error
		ta.onPatch = func(sendA func() (*http.Response, error)) (*http.Response, error) {
			resp, err := sendA()
			respB, errB = sendB()
			return resp, err
		}
		errA = a.Save(context.Background(), ours)
		return respB, errB
	}
	if err := b.Save(context.Background(), theirs); err != nil {
		t.Fatalf("b: %v", err)
	}
	if errA != nil {
		t.Fatalf("a: %v", errA)
	}
	if !ta.fired || !tb.fired {
		t.Fatal("the writes did not interleave")
	}
	got, _ := open(t, c, "1/1").Secret("X")
	want := Secret{Name: "X", Gen: 2, Since: later, Targets: map[string]int{"repo:acme/a": 2, "repo:acme/b": 1, "repo:acme/c": 1}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("after a's write was overwritten by b's (-want +got):\n%s", diff)
	}
}

// A target is held whatever the case it is asked in, as GitHub compares
// names; a pruned one (generation 0) is not held.
func TestHeldIgnoresCase(t *testing.T) {
	s := Secret{Gen: 2, Targets: map[string]int{"repo:Acme/API": 2, "repo:acme/web": 0, "repo:acme/old": 1}}
	tests := []struct {
		target string
		gen    int
		held   bool
	}{
		{"repo:Acme/API", 2, true},
		{"repo:acme/api", 2, true},
		{"repo:ACME/WEB", 0, false},
		{"repo:acme/nope", 0, false},
	}
	held := s.Holdings()
	for _, tt := range tests {
		for name, lookup := range map[string]func(string) (int, bool){"Held": s.Held, "Holdings": held} {
			if g, ok := lookup(tt.target); g != tt.gen || ok != tt.held {
				t.Errorf("%s(%q) = %d, %t; want %d, %t", name, tt.target, g, ok, tt.gen, tt.held)
			}
		}
	}
	if got, want := s.Stale([]string{"repo:acme/API", "repo:ACME/old", "repo:acme/new"}), []string{"repo:ACME/old", "repo:acme/new"}; !slices.Equal(got, want) {
		t.Errorf("Stale = %v, want %v", got, want)
	}
}

// A plan may not publish a variable named as the state's own: plan's
// reserved prefix covers the state's variables and their parts.
func TestPlanReservesTheStatesNames(t *testing.T) {
	for _, name := range []string{VarName("X", "1/1"), partName(VarName("X", "1/1"), "A", 0)} {
		if !strings.HasPrefix(name, plan.StateVariablePrefix) {
			t.Errorf("state variable %s does not start with plan.StateVariablePrefix %s", name, plan.StateVariablePrefix)
		}
	}
}
