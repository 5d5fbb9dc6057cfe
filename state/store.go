package state

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v45/github"

	"github.com/pat-action/pat-action/ghclient"
	"github.com/pat-action/pat-action/variables"
)

// Store is the state of one plan's rotations, read from and written to the
// Actions variables of one repository, as one shard of a run.
type Store struct {
	c           *github.Client
	owner, repo string
	shard       string
	now         func() time.Time
	run         string // this run's writer id prefix
	key         []byte // the state key; nil keeps the state unsigned (sign.go)

	mu   sync.Mutex
	seq  int
	docs map[string]doc // by variable name, as read or last written
	// untrusted are the variables a run with a key could not verify, by
	// name, with why: they are left out of docs.
	untrusted map[string]*untrusted
}

// Options say where the state lives and who writes it.
type Options struct {
	// Repository is "owner/repo", the repository that holds the plan.
	Repository string
	// Shard is the run's shard, "i/n".
	Shard string
	// Now is the clock writes are stamped with.
	Now func() time.Time
	// Key is the state key (at least MinKey bytes): every variable
	// written is signed with it, and a variable read that it does not
	// verify is ignored (Untrusted). Nil reads and writes unsigned.
	Key []byte
}

// Open reads every state variable of the repository. A variable that
// cannot be read or parsed is an error: rotating without knowing what
// was written could strand a target or prune one that was not ours.
func Open(ctx context.Context, c *github.Client, o Options) (*Store, error) {
	owner, repo, ok := strings.Cut(o.Repository, "/")
	if !ok || owner == "" || repo == "" || strings.Contains(repo, "/") {
		return nil, fmt.Errorf("state repository %q: want owner/repo", o.Repository)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Shard == "" {
		o.Shard = "1/1"
	}
	id := make([]byte, 8)
	if _, err := rand.Read(id); err != nil {
		return nil, fmt.Errorf("make a writer id: %w", err)
	}
	if o.Key != nil && (len(o.Key) < MinKey || len(o.Key) > MaxKey) {
		return nil, fmt.Errorf("state key: %d bytes, want %d to %d", len(o.Key), MinKey, MaxKey)
	}
	s := &Store{c: c, owner: owner, repo: repo, shard: o.Shard, now: o.Now, run: hex.EncodeToString(id), key: o.Key,
		docs: map[string]doc{}, untrusted: map[string]*untrusted{}}
	if err := s.readAll(ctx); err != nil {
		return nil, fmt.Errorf("read rotation state from %s: %w", o.Repository, err)
	}
	return s, nil
}

// Repository is where the state lives, "owner/repo".
func (s *Store) Repository() string { return s.owner + "/" + s.repo }

// Keyed reports whether the store has a state key: what it read is
// authenticated, and what it writes is signed.
func (s *Store) Keyed() bool { return s.key != nil }

// Untrusted is a state variable that a store with a key did not verify.
type Untrusted struct {
	// Variable is the variable's name; Why says what was wrong with it.
	Variable, Why string
	// Unreadable is true for a variable no run could read (edited by
	// hand, or not pat-action's), false for one the key did not verify.
	Unreadable bool
	// Replayed is true for a variable the key verified but that was put
	// back long after it was written (see ReplayWindow).
	Replayed bool
}

// Untrusted returns, sorted by name, the variables Open read but could not
// verify with the state key, or could not read at all (edited by hand, or
// not pat-action's). They are ignored: a secret they alone spoke of reads
// as having no state.
func (s *Store) Untrusted() []Untrusted {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Untrusted
	for n, u := range s.untrusted {
		out = append(out, Untrusted{Variable: n, Why: u.why, Unreadable: u.unreadable, Replayed: u.replayed})
	}
	slices.SortFunc(out, func(a, b Untrusted) int { return strings.Compare(a.Variable, b.Variable) })
	return out
}

type apiVariable struct {
	Name      string    `json:"name"`
	Value     string    `json:"value"`
	UpdatedAt time.Time `json:"updated_at"`
}

func (s *Store) base() string {
	return fmt.Sprintf("repos/%s/%s/actions/variables", url.PathEscape(s.owner), url.PathEscape(s.repo))
}

// readAll lists the repository's variables (30 a page, GitHub's most) and
// keeps the state's.
func (s *Store) readAll(ctx context.Context) error {
	all := map[string]apiVariable{} // every state variable and part, by name
	err := ghclient.EachPage("list variables", func(page int) (*github.Response, error) {
		req, err := s.c.NewRequest(http.MethodGet, fmt.Sprintf("%s?per_page=30&page=%d", s.base(), page), nil)
		if err != nil {
			return nil, err
		}
		var out struct {
			Variables []apiVariable `json:"variables"`
		}
		resp, err := s.c.Do(ctx, req, &out)
		if err != nil {
			return nil, fmt.Errorf("list variables: %w", err)
		}
		for _, v := range out.Variables {
			if n := strings.ToUpper(v.Name); strings.HasPrefix(n, Prefix) || strings.HasPrefix(n, partPrefix) {
				all[n] = v
			}
		}
		return resp, nil
	})
	if err != nil {
		return err
	}
	for name, v := range all {
		if !strings.HasPrefix(name, Prefix) {
			continue
		}
		full, err := assemble(name, v.Value, func(n string) (string, bool, error) { pv, ok := all[n]; return pv.Value, ok, nil })
		if err != nil {
			// The listing is not one snapshot: a write may have moved
			// the head meanwhile. Read this one again, on its own.
			d, ok, gerr := s.get(ctx, name)
			if u, bad := asUntrusted(gerr); bad {
				s.untrusted[name] = u
				continue
			}
			if gerr != nil {
				return gerr
			}
			if ok {
				s.docs[name] = d
			}
			continue
		}
		d, err := s.decode(name, full, v.UpdatedAt)
		if u, bad := asUntrusted(err); bad {
			s.untrusted[name] = u
			continue
		}
		if err != nil {
			return fmt.Errorf("variable %s: %w", name, err)
		}
		s.docs[name] = d
	}
	return nil
}

// ReplayWindow is how long after its signed write time GitHub may date a
// state variable's last change: a run's write can wait that long behind
// pacing and retries. A signed value GitHub dates later was put back.
const ReplayWindow = time.Hour

// replayed is an *untrusted error for a signed variable that GitHub last
// changed more than ReplayWindow after the run that signed it wrote it:
// an older signed value put back by someone who can write variables,
// which would make prune delete again what it deleted since, or restart
// a token's age. Without a key nothing is signed, and nothing is checked.
func (s *Store) replayed(d doc, changed time.Time) error {
	if s.key == nil || changed.IsZero() || changed.Sub(d.Written) <= ReplayWindow {
		return nil
	}
	return &untrusted{replayed: true, why: fmt.Sprintf("signed when written at %s, but GitHub last changed it at %s, %s later",
		d.Written.UTC().Format(time.RFC3339), changed.UTC().Format(time.RFC3339), changed.Sub(d.Written).Round(time.Minute))}
}

// Secret returns what every shard's variables say of the secret, merged:
// for each target, the most recently written variable that names it wins,
// and the secret's generation, date and fingerprint come from the most
// recently written variable. ok is false when no variable names it.
func (s *Store) Secret(name string) (sec Secret, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	type named struct {
		v string
		d doc
	}
	var ds []named
	for v, d := range s.docs {
		if strings.EqualFold(d.Name, name) {
			ds = append(ds, named{v, d})
		}
	}
	sec = Secret{Name: strings.ToUpper(name), Targets: map[string]int{}}
	if len(ds) == 0 {
		return sec, false
	}
	slices.SortFunc(ds, func(a, b named) int {
		if c := a.d.Written.Compare(b.d.Written); c != 0 {
			return c
		}
		return strings.Compare(a.v, b.v)
	})
	for _, x := range ds {
		for t, g := range x.d.Targets {
			sec.Targets[t] = g
		}
	}
	last := ds[len(ds)-1].d
	sec.Gen, sec.Since, sec.Salt, sec.FP = last.Gen, last.Since, last.Salt, last.FP
	for _, x := range ds {
		// A shard that saw a newer generation than the last writer (its
		// clock behind) must not make the generation go back.
		if x.d.Gen > sec.Gen {
			sec.Gen, sec.Since, sec.Salt, sec.FP = x.d.Gen, x.d.Since, x.d.Salt, x.d.FP
		}
	}
	return sec, true
}

// Own returns what this shard's own variable says of the secret, as read
// (or last written): the base its next Save is merged against.
func (s *Store) Own(name string) Secret {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.docs[VarName(name, s.shard)]
	if !ok {
		return Secret{Name: strings.ToUpper(name), Targets: map[string]int{}}
	}
	return d.Secret.Clone()
}

// ErrConflict is returned (wrapped) when another run kept writing the same
// variable while this one tried to.
var ErrConflict = errors.New("another run is writing the same rotation state")

// Save writes sec as this shard's variable for the secret. sec holds every
// target this shard owns. When another run wrote the variable since this
// one read it, its targets that this run did not change are kept, not
// overwritten; the write is read back to make sure it was not itself
// overwritten, and retried (three times) when it was.
func (s *Store) Save(ctx context.Context, sec Secret) error {
	name := VarName(sec.Name, s.shard)
	base := s.Own(sec.Name)
	s.mu.Lock()
	_, existed := s.docs[name]
	s.mu.Unlock()
	for attempt := 0; attempt < 3; attempt++ {
		curVar, exists, err := s.rawAt(ctx, name)
		if err != nil {
			return err
		}
		curRaw := curVar.Value
		var cur doc
		trusted := exists
		if exists {
			cur, err = s.load(ctx, name, curVar)
			// What the key does not verify, or finds put back, is
			// replaced, never merged.
			_, bad := asUntrusted(err)
			if err != nil && !bad {
				return err
			}
			trusted = !bad
		}
		want := sec.Clone()
		if trusted && (!existed || cur.Writer != s.lastWriter(name)) {
			want = merge(base, cur.Secret, sec)
		}
		d := doc{V: 1, Shard: s.shard, Writer: s.writer(), Written: s.now().UTC(), Secret: want}
		val, err := encode(d)
		if err != nil {
			return fmt.Errorf("encode state of %s: %w", sec.Name, err)
		}
		val = sign(s.key, s.Repository(), name, val)
		if err := s.write(ctx, name, val, curRaw, exists, d.Writer); err != nil {
			if errors.Is(err, variables.ErrExists) {
				continue // created by another run meanwhile: merge with it
			}
			return err
		}
		back, ok, err := s.get(ctx, name)
		if _, bad := asUntrusted(err); err != nil && !bad {
			return err
		}
		if ok && back.Writer == d.Writer {
			s.mu.Lock()
			s.docs[name] = d
			s.mu.Unlock()
			return nil
		}
		// Overwritten between our write and our read: merge what this run
		// changed (against what it read, base) into the other's again. The
		// other run may not have seen our write, so base stays: against
		// want, our changes would look like none and be lost.
		existed = true
	}
	return fmt.Errorf("write state variable %s: %w; run again", name, ErrConflict)
}

// merge applies what this run changed (ours against base) to theirs, a
// version another run wrote meanwhile.
func merge(base, theirs, ours Secret) Secret {
	out := theirs.Clone()
	for t, g := range ours.Targets {
		if bg, ok := base.Targets[t]; !ok || bg != g {
			out.Targets[t] = g
		}
	}
	if ours.Gen != base.Gen || ours.FP != base.FP || !ours.Since.Equal(base.Since) {
		if ours.Gen >= out.Gen {
			out.Gen, out.Since, out.Salt, out.FP = ours.Gen, ours.Since, ours.Salt, ours.FP
		}
	}
	return out
}

func (s *Store) lastWriter(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.docs[name].Writer
}

func (s *Store) writer() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	return fmt.Sprintf("%s-%d", s.run, s.seq)
}

// get reads one state variable, and its parts when it has them. One the
// state key does not verify is an *untrusted error.
func (s *Store) get(ctx context.Context, name string) (doc, bool, error) {
	v, ok, err := s.rawAt(ctx, name)
	if err != nil || !ok {
		return doc{}, false, err
	}
	d, err := s.load(ctx, name, v)
	return d, err == nil, err
}

// load decodes variable name, v as read, reading its parts when it has them.
func (s *Store) load(ctx context.Context, name string, v variables.Variable) (doc, error) {
	full, err := assemble(name, v.Value, func(n string) (string, bool, error) { return s.raw(ctx, n) })
	if err != nil {
		return doc{}, err
	}
	d, err := s.decode(name, full, v.UpdatedAt)
	if err != nil {
		return doc{}, fmt.Errorf("state variable %s of %s: %w", name, s.Repository(), err)
	}
	return d, nil
}

// decode verifies variable name's whole value v with the state key, when
// the store has one, and decodes it; with a key, a value GitHub last
// changed (at changed) long after it was signed was put back (replayed).
// Every read of the state comes through here.
func (s *Store) decode(name, v string, changed time.Time) (doc, error) {
	body, err := verify(s.key, s.Repository(), name, v)
	if err != nil {
		return doc{}, err
	}
	d, err := decode(body)
	if err != nil {
		// Edited by hand, or not pat-action's: ignored like a forgery,
		// so that one bad variable does not stop every secret.
		return doc{}, &untrusted{why: err.Error(), unreadable: true}
	}
	return d, s.replayed(d, changed)
}

// put creates (POST) or updates (PATCH) one variable. A create that finds
// the variable there already returns variables.ErrExists.
func (s *Store) put(ctx context.Context, name, value string, exists bool) error {
	var err error
	if exists {
		err = variables.Update(ctx, s.c, s.base(), name, value)
	} else if err = variables.Create(ctx, s.c, s.base(), name, value, nil); errors.Is(err, variables.ErrExists) {
		return variables.ErrExists
	}
	if err != nil {
		return fmt.Errorf("write state variable %s of %s: %w", name, s.Repository(), err)
	}
	return nil
}
