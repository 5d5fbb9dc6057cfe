package state

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v45/github"

	"github.com/pat-action/pat-action/emulator"
)

var (
	stateKey = []byte("k3y-of-the-plan-repository-0123456789")
	otherKey = []byte("another-key-of-someone-else-9876543210")
)

func openKeyed(t *testing.T, c *github.Client, shard string, key []byte) *Store {
	t.Helper()
	s, err := Open(context.Background(), c, Options{Repository: "acme/ops", Shard: shard, Now: func() time.Time { return now }, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func save(t *testing.T, s *Store, sec Secret) {
	t.Helper()
	if err := s.Save(context.Background(), sec); err != nil {
		t.Fatal(err)
	}
}

// With a key, what a run writes is signed and reads back whole, by a run
// with the key and by one without; the key itself is nowhere in it.
func TestSignedStateReadsBack(t *testing.T) {
	emu, c := newEmu(t)
	sec := Secret{Name: "RELEASE_PAT", Gen: 2, Since: now, Salt: "s", FP: "f", Targets: map[string]int{"repo:acme/api": 2}}
	save(t, openKeyed(t, c, "1/1", stateKey), sec)
	v, _ := emu.GetVariable("repo:acme/ops", VarName("RELEASE_PAT", "1/1"))
	if !strings.HasPrefix(v.Value, signedTag) {
		t.Errorf("the variable is not signed (it starts %q)", v.Value[:min(len(v.Value), 3)])
	}
	if strings.Contains(v.Value, string(stateKey)) {
		t.Error("the variable holds the state key")
	}
	for _, key := range [][]byte{stateKey, nil} {
		s := openKeyed(t, c, "1/1", key)
		got, ok := s.Secret("RELEASE_PAT")
		if diff := cmp.Diff(sec, got); !ok || diff != "" {
			t.Errorf("key %v: read back known %v (-want +got):\n%s", key != nil, ok, diff)
		}
		if u := s.Untrusted(); len(u) != 0 {
			t.Errorf("key %v: untrusted %v, want none", key != nil, u)
		}
	}
}

// A run with the key trusts nothing it cannot verify: a state written
// without the key (forged, or from before the key), one signed with another
// key, a signed entry copied into another secret's or shard's variable, or
// a signed one edited. Each is ignored and named; the genuine one is kept.
func TestKeyRejectsForgedState(t *testing.T) {
	emu, c := newEmu(t)
	genuine := Secret{Name: "REAL", Gen: 1, Since: now, Targets: map[string]int{"repo:acme/api": 1}}
	save(t, openKeyed(t, c, "1/1", stateKey), genuine)
	save(t, openKeyed(t, c, "1/1", nil), Secret{Name: "UNSIGNED", Gen: 1, Targets: map[string]int{"repo:acme/infra": 1}})
	save(t, openKeyed(t, c, "1/1", otherKey), Secret{Name: "OTHERKEY", Gen: 1, Targets: map[string]int{"repo:acme/infra": 1}})
	real, _ := emu.GetVariable("repo:acme/ops", VarName("REAL", "1/1"))
	emu.SetVariable("repo:acme/ops", VarName("COPIED", "1/1"), real.Value, now)
	emu.SetVariable("repo:acme/ops", VarName("REAL", "2/2"), real.Value, now)
	emu.AddRepo(emulator.Repo{Owner: "acme", Name: "other-plan"})
	emu.SetVariable("repo:acme/other-plan", VarName("REAL", "1/1"), real.Value, now)
	edited := strings.Replace(real.Value, "s1:", "s1:A", 1)
	emu.SetVariable("repo:acme/ops", VarName("EDITED", "1/1"), edited, now)

	s := openKeyed(t, c, "1/1", stateKey)
	var got []string
	for _, u := range s.Untrusted() {
		got = append(got, u.Variable+": "+u.Why)
	}
	want := []string{
		"PAT_ACTION_STATE_COPIED_1_1: its signature does not match: made with another key, copied from another variable or repository, or edited",
		"PAT_ACTION_STATE_EDITED_1_1: its signature does not match: made with another key, copied from another variable or repository, or edited",
		"PAT_ACTION_STATE_OTHERKEY_1_1: its signature does not match: made with another key, copied from another variable or repository, or edited",
		"PAT_ACTION_STATE_REAL_2_2: its signature does not match: made with another key, copied from another variable or repository, or edited",
		"PAT_ACTION_STATE_UNSIGNED_1_1: no signature",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("untrusted (-want +got):\n%s", diff)
	}
	for _, name := range []string{"UNSIGNED", "OTHERKEY", "COPIED", "EDITED"} {
		if sec, ok := s.Secret(name); ok || len(sec.Targets) > 0 {
			t.Errorf("%s: the forged state was read: %v", name, sec.Targets)
		}
	}
	// The copy in REAL's shard 2 variable claims REAL too: it is not
	// merged in, and the genuine variable is read.
	if got, ok := s.Secret("REAL"); !ok || !cmp.Equal(genuine, got) {
		t.Errorf("REAL: known %v, %v; want the genuine state", ok, got)
	}
	// The same key in another plan's repository: the copy is refused.
	other, err := Open(context.Background(), c, Options{Repository: "acme/other-plan", Key: stateKey})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := other.Secret("REAL"); ok || len(other.Untrusted()) != 1 {
		t.Errorf("a copy from acme/ops in acme/other-plan: read %v, untrusted %v; want it refused", ok, other.Untrusted())
	}
	// Without a key everything is read, as before there were keys.
	if _, ok := openKeyed(t, c, "1/1", nil).Secret("UNSIGNED"); !ok {
		t.Error("without a key, an unsigned state is not read")
	}
}

// A run with the key replaces its own variable that it cannot verify
// rather than merging the forgery's targets into what it writes.
func TestKeyedSaveReplacesForgery(t *testing.T) {
	_, c := newEmu(t)
	save(t, openKeyed(t, c, "1/1", nil), Secret{Name: "PAT", Gen: 1, Targets: map[string]int{"repo:acme/infra": 1}})
	s := openKeyed(t, c, "1/1", stateKey)
	// Own is empty: the forged variable was not read. Writing over it
	// with what this run knows must not bring repo:acme/infra back.
	save(t, s, Secret{Name: "PAT", Gen: 1, Targets: map[string]int{"repo:acme/api": 1}})
	got, ok := openKeyed(t, c, "1/1", stateKey).Secret("PAT")
	if !ok || !cmp.Equal(map[string]int{"repo:acme/api": 1}, got.Targets) {
		t.Errorf("after the keyed save: known %v, targets %v; want only repo:acme/api", ok, got.Targets)
	}
}

// A signed state too large for one variable is kept in parts, and the
// signature covers them all: a part swapped for a forged one is refused.
func TestSignedStateInParts(t *testing.T) {
	emu, c := newEmu(t)
	sec := Secret{Name: "BIG", Gen: 1, Since: now, Targets: map[string]int{}}
	for i := range 2000 {
		// Random-looking names compress badly: this needs parts.
		sec.Targets[fmt.Sprintf("repo:acme/%x", sha256.Sum256([]byte(fmt.Sprint(i))))] = 1
	}
	save(t, openKeyed(t, c, "1/1", stateKey), sec)
	head, _ := emu.GetVariable("repo:acme/ops", VarName("BIG", "1/1"))
	if !strings.HasPrefix(head.Value, chunked) {
		t.Fatalf("the state fit in one variable (%d bytes): parts are not exercised", len(head.Value))
	}
	if got, ok := openKeyed(t, c, "1/1", stateKey).Secret("BIG"); !ok || len(got.Targets) != len(sec.Targets) {
		t.Fatalf("read back known %v with %d targets, want %d", ok, len(got.Targets), len(sec.Targets))
	}
	h, _ := parseHead(head.Value)
	part := partName(VarName("BIG", "1/1"), h.slot, 1)
	pv, _ := emu.GetVariable("repo:acme/ops", part)
	emu.SetVariable("repo:acme/ops", part, pv.Value[:len(pv.Value)-4]+"AAAA", now)
	s := openKeyed(t, c, "1/1", stateKey)
	if _, ok := s.Secret("BIG"); ok || len(s.Untrusted()) != 1 {
		t.Errorf("a forged part: known %v, untrusted %v; want it ignored and named", ok, s.Untrusted())
	}
}

// A key shorter than MinKey is refused before any request.
func TestShortKeyRefused(t *testing.T) {
	emu, c := newEmu(t)
	_, err := Open(context.Background(), c, Options{Repository: "acme/ops", Key: stateKey[:MinKey-1]})
	if err == nil || !strings.Contains(err.Error(), "state key") {
		t.Errorf("Open with a %d-byte key: %v, want an error about the state key", MinKey-1, err)
	}
	if n := len(emu.Requests()); n != 0 {
		t.Errorf("%d requests, want none", n)
	}
}

// Two overlapping runs of the same shard with the key merge what each
// wrote, as unsigned ones do: each verifies the other's write.
func TestSignedLostUpdateDetected(t *testing.T) {
	_, c := newEmu(t)
	a, b := openKeyed(t, c, "1/1", stateKey), openKeyed(t, c, "1/1", stateKey)
	save(t, a, Secret{Name: "X", Gen: 2, Targets: map[string]int{"repo:acme/a": 2}})
	save(t, b, Secret{Name: "X", Gen: 2, Targets: map[string]int{"repo:acme/b": 2}})
	s := openKeyed(t, c, "1/1", stateKey)
	got, _ := s.Secret("X")
	if diff := cmp.Diff(map[string]int{"repo:acme/a": 2, "repo:acme/b": 2}, got.Targets); diff != "" || len(s.Untrusted()) != 0 {
		t.Errorf("after two overlapping keyed runs, untrusted %v (-want +got):\n%s", s.Untrusted(), diff)
	}
}

// An older signed value put back (a replay) verifies, but GitHub dates
// the change: a variable whose signed write time is more than ReplayWindow
// before GitHub's updated_at is ignored and named, as a forgery is. A
// value GitHub dates within the window of its signed time is the run's
// own write, paced or retried.
func TestReplayedStateIgnored(t *testing.T) {
	tests := []struct {
		name     string
		changed  time.Duration // GitHub's updated_at, after the signed write time
		key      []byte
		replayed bool
	}{
		{"written as signed", 0, stateKey, false},
		{"written late by a paced or retried run", ReplayWindow - time.Minute, stateKey, false},
		{"put back a day later", 24 * time.Hour, stateKey, true},
		{"put back a day later, read without a key", 24 * time.Hour, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emu, c := newEmu(t)
			save(t, openKeyed(t, c, "1/1", stateKey), Secret{Name: "RELEASE_PAT", Gen: 1, Since: now, Targets: map[string]int{"repo:acme/infra": 1}})
			name := VarName("RELEASE_PAT", "1/1")
			v, _ := emu.GetVariable("repo:acme/ops", name)
			emu.SetVariable("repo:acme/ops", name, v.Value, now.Add(tt.changed))
			s := openKeyed(t, c, "1/1", tt.key)
			u := s.Untrusted()
			_, known := s.Secret("RELEASE_PAT")
			if tt.replayed {
				if len(u) != 1 || u[0].Variable != name || !u[0].Replayed || !strings.Contains(u[0].Why, "GitHub last changed it at") || known {
					t.Errorf("untrusted %+v, secret known %t: want the replayed variable ignored and named", u, known)
				}
				return
			}
			if len(u) != 0 || !known {
				t.Errorf("untrusted %+v, secret known %t: want the variable trusted", u, known)
			}
		})
	}
}

// A variable put back is replaced by the next write of its shard, never
// merged: merged, the targets it names would come back signed afresh, and
// the next run would trust them (prune would delete there again).
func TestReplayedStateReplacedNotMerged(t *testing.T) {
	emu, c := newEmu(t)
	name := VarName("RELEASE_PAT", "1/1")
	save(t, openKeyed(t, c, "1/1", stateKey), Secret{Name: "RELEASE_PAT", Gen: 1, Since: now, Targets: map[string]int{"repo:acme/old": 1}})
	old, _ := emu.GetVariable("repo:acme/ops", name)
	emu.SetVariable("repo:acme/ops", name, old.Value, now.Add(24*time.Hour))
	s := openKeyed(t, c, "1/1", stateKey)
	if u := s.Untrusted(); len(u) != 1 || !u[0].Replayed {
		t.Fatalf("untrusted %+v: want the variable put back", u)
	}
	save(t, s, Secret{Name: "RELEASE_PAT", Gen: 1, Since: now, Targets: map[string]int{"repo:acme/new": 1}})
	got, _ := openKeyed(t, c, "1/1", stateKey).Secret("RELEASE_PAT")
	if diff := cmp.Diff(map[string]int{"repo:acme/new": 1}, got.Targets); diff != "" {
		t.Errorf("targets after the shard's write (-want +got):\n%s", diff)
	}
}
