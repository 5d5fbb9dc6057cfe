package rotate

import (
	"context"
	"fmt"
	"strings"

	"github.com/pat-action/pat-action/plan"
	"github.com/pat-action/pat-action/secrets"
	"github.com/pat-action/pat-action/state"
)

// memory is what the rotation state says of one secret, and what this run
// changes of it.
type memory struct {
	// known is false on the first run with state: what exists is adopted.
	known bool
	// was is the state as read; next is what this run will save.
	was, next state.Secret
	// writing is the generation the value being written has.
	writing int
	dirty   bool
}

// openState reads the rotation state, when the run keeps one.
func (r *run) openState(ctx context.Context) error {
	if r.o.StateRepository == "" {
		return nil
	}
	st, err := state.Open(ctx, r.o.Client, state.Options{Repository: r.o.StateRepository, Shard: shardName(r.o.Shard), Now: r.o.Now, Key: r.o.StateKey})
	if err != nil {
		return err
	}
	r.st = st
	r.mem = map[string]*memory{}
	r.untrusted = map[string]bool{}
	for _, u := range st.Untrusted() {
		r.untrusted[u.Variable] = true
		r.problem("state:"+r.o.StateRepository, untrustedState(u))
	}
	return nil
}

// recall returns the memory of secret s, or nil when the run keeps no state.
func (r *run) recall(s plan.Secret) *memory {
	if r.st == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if m := r.mem[s.Name]; m != nil {
		return m
	}
	sec, known := r.st.Secret(s.Name)
	m := &memory{known: known, was: sec.Clone(), next: sec.Clone()}
	if s.Source.Type == plan.SourceGitHubApp && m.next.Gen == 0 {
		// Minted every run: the state only remembers where it went.
		m.next.Gen = 1
	}
	m.writing = m.next.Gen
	// This shard's own variable, if untrusted, is replaced with a signed
	// one even when nothing else changes.
	m.dirty = r.untrusted[state.VarName(s.Name, shardName(r.o.Shard))]
	r.mem[s.Name] = m
	return m
}

// owns reports whether this shard keeps target's entry of secret s: the
// shard that handles the target.
func (r *run) owns(s plan.Secret, target string) bool {
	if s.Source.Type == plan.SourceDeployKey || s.Source.Type == plan.SourceRandom {
		return r.o.Shard.Has("secret:" + s.Name)
	}
	return r.o.Shard.Has(s.Name + " " + target)
}

// wrote records that target now holds the value being written.
func (r *run) wrote(s plan.Secret, target string) {
	m := r.recall(s)
	if m == nil || r.o.DryRun {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	m.next.Targets[target] = m.writing
	m.dirty = true
}

// keys are the targets' String forms.
func keys(ts []Target) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.String()
	}
	return out
}

// decide says whether a generated secret (random or deploy key) needs a
// new value: a target is missing, older than the max age (or Force), or,
// by the state, holds another generation than the current one (a run
// failed or was killed half-way: the targets disagree). On the first run
// with state, the present targets are adopted as they are. ok is false
// when some target's age could not be read (reported).
func (r *run) decide(ctx context.Context, s plan.Secret, targets []Target, src *SourceResult) (rotate bool, fresh []Target, ok bool) {
	due, fresh := r.due(ctx, s, targets)
	ok = len(due)+len(fresh) == len(targets)
	m := r.recall(s)
	if m == nil {
		return len(due) > 0, fresh, ok
	}
	if !m.known {
		m.next.Gen, m.next.Since = 1, r.o.Now().UTC()
		for _, t := range fresh {
			m.next.Targets[t.String()] = 1
		}
		m.writing, m.dirty = 1, true
		return len(due) > 0, fresh, ok
	}
	src.Diverged = m.was.Stale(keys(fresh))
	return len(due) > 0 || len(src.Diverged) > 0, fresh, ok
}

// begin records, before a new value is written anywhere, that a new
// generation is being made: a run killed half-way then leaves the targets
// it did not reach behind the state's generation, and the next run sees
// them diverged. It reports whether the new value may be written.
func (r *run) begin(ctx context.Context, s plan.Secret) bool {
	m := r.recall(s)
	if m == nil {
		return true
	}
	m.next.Gen++
	m.next.Since = r.o.Now().UTC()
	m.writing, m.dirty = m.next.Gen, true
	if r.o.DryRun {
		return true
	}
	if err := r.save(ctx, s, m); err != nil {
		r.problem("state:"+r.o.StateRepository, fmt.Errorf("%w; nothing written for %s", err, s.Name))
		// Nothing changed: nothing to remember at the end either.
		m.next, m.dirty = m.was.Clone(), false
		return false
	}
	return true
}

// tokenTargets picks, of a token source's targets, those to write: all of
// them when the token is new (its fingerprint differs from the state's,
// which makes a new generation first stored now, saved before any write),
// else only those that do not hold it or no longer have the secret. The others are reported
// unchanged, so the token's first-stored date, and its age, stay real.
func (r *run) tokenTargets(ctx context.Context, s plan.Secret, targets []Target, tok string) ([]Target, error) {
	m := r.recall(s)
	if m == nil {
		return targets, nil
	}
	salt := m.next.Salt
	if salt == "" {
		var err error
		if salt, err = state.NewSalt(); err != nil {
			return nil, err
		}
	}
	if fp := state.Fingerprint(salt, tok); !m.known || m.next.FP != fp {
		m.next.Gen++
		m.next.Since, m.next.Salt, m.next.FP = r.o.Now().UTC(), salt, fp
		m.writing, m.dirty = m.next.Gen, true
		// Recorded before the first write, as begin does: written with
		// the state still naming the previous token (a run killed
		// half-way, a state that cannot be written), the next run would
		// take it for new and restart its age.
		if !r.o.DryRun {
			if err := r.save(ctx, s, m); err != nil {
				r.problem("state:"+r.o.StateRepository, fmt.Errorf("%w; nothing written for %s", err, s.Name))
				m.next, m.dirty = m.was.Clone(), false
				return nil, nil
			}
		}
		return targets, nil
	}
	var held, out []Target
	holds := m.was.Holdings()
	for _, t := range targets {
		if g, _ := holds(t.String()); g == m.next.Gen {
			held = append(held, t)
		} else {
			out = append(out, t)
		}
	}
	ages := r.ages(ctx, s.Name, held)
	var same []Target
	for _, t := range held {
		switch a, ok := ages[t.String()]; {
		case !ok: // reported
		case a.Missing:
			out = append(out, t)
		default:
			same = append(same, t)
		}
	}
	r.unchanged(s, same)
	sortTargets(out)
	return out, nil
}

// pruneState deletes the secret from the targets the state says this plan
// wrote and that it no longer selects (all are those it selects). A target the plan never wrote (a
// secret stored by hand) is never a candidate; on the first run with state
// nothing is. Without a state key, anyone who can write the repository's
// variables could forge the state, so prune deletes only within the reach
// of the plan's targets: a target outside it (the plan dropped an owner or
// a kind of secret, or the state was forged) is left in place, warned of
// every run until it is gone, and kept in the state. With a key the state
// is authenticated, and such a target is pruned like any other.
func (r *run) pruneState(ctx context.Context, s plan.Secret, m *memory, all []Target) {
	if !m.known {
		return
	}
	selected := map[string]bool{}
	for _, t := range all {
		selected[strings.ToLower(t.String())] = true
	}
	reach := reachOf(s.Targets)
	var cands, outside []Target
	for _, key := range m.was.Written() {
		if selected[strings.ToLower(key)] || !r.owns(s, key) {
			continue
		}
		t, err := parseTarget(key)
		if err != nil {
			r.problem("state:"+r.o.StateRepository, fmt.Errorf("prune %s: %w", s.Name, err))
			continue
		}
		if !reach[reachKey(t)] && !r.st.Keyed() {
			outside = append(outside, Target{Target: t})
			continue
		}
		cands = append(cands, Target{Target: t})
	}
	ages := r.ages(ctx, s.Name, append(cands, outside...))
	for _, t := range outside {
		a, ok := ages[t.String()]
		switch {
		case !ok:
		case a.Missing:
			r.forget(m, t.String()) // gone: nothing lingers there
		default:
			r.warn(t.String(), fmt.Errorf("prune %s: the rotation state says this plan wrote it there, outside the owners and kinds of secret its targets name now, "+
				"so it is no longer rotated; not pruned, since without a state key the state could be forged: delete it there by hand (this warning then stops). "+
				"With a state key (state-key), prune deletes what a plan narrows away, once a signed state records it", s.Name))
		}
	}
	var held []Target
	for _, t := range cands {
		a, ok := ages[t.String()]
		switch {
		case !ok:
		case a.Missing:
			// Deleted by someone else: no longer ours to prune.
			r.forget(m, t.String())
		default:
			held = append(held, t)
		}
	}
	for _, res := range r.w.Delete(ctx, plain(held), s.Name) {
		r.add(SecretResult{Target: res.Target.String(), Name: s.Name, Result: string(res.Outcome)})
		if res.Err != nil {
			r.problem(res.Target.String(), fmt.Errorf("prune %s: %w", s.Name, res.Err))
			continue
		}
		if res.Outcome == secrets.Deleted {
			r.forget(m, res.Target.String())
		}
	}
}

// reachOf is what a secret's target specs can reach, whatever they select
// today: each (kind, scope, owner) as reachKey makes it. Prune deletes only
// within it, so a state edited to claim another organization's or kind's
// targets cannot make it delete there.
func reachOf(specs []plan.TargetSpec) map[string]bool {
	out := map[string]bool{}
	for _, spec := range specs {
		if t, ok := spec.Target(); ok {
			out[reachKey(t)] = true
			continue
		}
		kind := spec.Type
		if kind == "" {
			kind = secrets.Actions
		}
		out[reachKey(secrets.Target{Kind: kind, Scope: secrets.RepoScope, Owner: spec.Organization})] = true
	}
	return out
}

func reachKey(t secrets.Target) string {
	owner := t.Owner
	if t.Scope == secrets.OrgScope {
		owner = t.Org
	}
	kind := t.Kind
	if kind == "" {
		kind = secrets.Actions
	}
	return strings.ToLower(string(kind) + "|" + string(t.Scope) + "|" + owner)
}

// forget records that target no longer holds the secret (generation 0).
func (r *run) forget(m *memory, target string) {
	r.mu.Lock()
	m.next.Targets[target] = 0
	m.dirty = true
	r.mu.Unlock()
}

// remember saves what this run changed of secret s: this shard's entries.
func (r *run) remember(ctx context.Context, s plan.Secret) {
	m := r.recall(s)
	if m == nil || !m.dirty || r.o.DryRun {
		return
	}
	if err := r.save(ctx, s, m); err != nil {
		r.problem("state:"+r.o.StateRepository, err)
	}
}

func (r *run) save(ctx context.Context, s plan.Secret, m *memory) error {
	r.mu.Lock()
	own := m.next.Clone()
	r.mu.Unlock()
	for t := range own.Targets {
		if !r.owns(s, t) {
			delete(own.Targets, t)
		}
	}
	return r.st.Save(ctx, own)
}

// parseTarget reads a target's String form back ("repo:acme/api",
// "env:acme/api/production", "org:acme", each perhaps prefixed with its
// kind, such as "dependabot:"). Each part is held to the name rules a
// plan's targets are: a state that was forged or edited names no URL but
// a target's.
func parseTarget(s string) (secrets.Target, error) {
	t := secrets.Target{Kind: secrets.Actions}
	rest := s
	if kind, after, ok := strings.Cut(rest, ":"); ok {
		switch secrets.Scope(kind) {
		case secrets.RepoScope, secrets.EnvScope, secrets.OrgScope:
		default:
			// Any kind but actions prefixes the scope ("dependabot:").
			k, err := secrets.ParseKind(kind)
			if err != nil {
				return t, fmt.Errorf("target %q in the rotation state: %w", s, err)
			}
			t.Kind, rest = k, after
		}
	}
	scope, name, _ := strings.Cut(rest, ":")
	switch secrets.Scope(scope) {
	case secrets.RepoScope:
		if owner, repo, err := secrets.ParseRepo(name); err == nil {
			t.Scope, t.Owner, t.Repo = secrets.RepoScope, owner, repo
			return t, nil
		}
	case secrets.EnvScope:
		parts := strings.SplitN(name, "/", 3)
		if len(parts) == 3 && secrets.ValidateEnvironment(parts[2]) == nil {
			if owner, repo, err := secrets.ParseRepo(parts[0] + "/" + parts[1]); err == nil {
				t.Scope, t.Owner, t.Repo, t.Environment = secrets.EnvScope, owner, repo, parts[2]
				return t, nil
			}
		}
	case secrets.OrgScope:
		if secrets.ValidateOwner(name) == nil {
			t.Scope, t.Org = secrets.OrgScope, name
			return t, nil
		}
	}
	return t, fmt.Errorf("target %q in the rotation state: not a target", s)
}

// shardName is the shard as the state names it, "i/n".
func shardName(s Shard) string {
	if s.Count < 1 {
		return "1/1"
	}
	return fmt.Sprintf("%d/%d", s.Index, s.Count)
}

// untrustedState is the problem of a state variable the run ignores: one
// that cannot be read at all, or, only with a state key, one the key does
// not verify or that was put back; the shard that writes it then replaces
// it with a signed one.
func untrustedState(u state.Untrusted) error {
	const ignored = "never used for prune or a token's age; the run goes on as if it did not exist (a secret with no other state starts afresh) and the shard that writes it replaces it"
	if u.Unreadable {
		return fmt.Errorf("state variable %s cannot be read: ignored (%s), %s. Edited by hand, or not pat-action's: if no shard of this plan writes it, delete it", u.Variable, u.Why, ignored)
	}
	if u.Replayed {
		return fmt.Errorf("state variable %s was put back: ignored (%s), %s with a signed one. "+
			"Someone who can write this repository's variables put an older signed value back: see who changed it (the repository's audit log)",
			u.Variable, u.Why, ignored)
	}
	return fmt.Errorf("state variable %s is not signed by the state key: ignored (%s), %s with a signed one. "+
		"Written before the key was set, or by a run without it, it is reported once; else it was forged: if no shard of this plan writes it, delete it",
		u.Variable, u.Why, ignored)
}
