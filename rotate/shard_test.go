package rotate

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pat-action/pat-action/secrets"
)

func TestParseShard(t *testing.T) {
	tests := []struct {
		in   string
		want Shard
	}{
		{"", Shard{1, 1}},
		{"1/1", Shard{1, 1}},
		{"3/4", Shard{3, 4}},
		{"8/8", Shard{8, 8}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseShard(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseShard(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
	for _, in := range []string{"0/4", "5/4", "1/0", "4", "1/", "/4", "a/b", "-1/4", "+1/4", "1/4/2", " 1/4", "1 / 4"} {
		t.Run(in, func(t *testing.T) {
			_, err := ParseShard(in)
			want := fmt.Sprintf("shard %q: want i/n with 1 <= i <= n", in)
			if err == nil || err.Error() != want {
				t.Errorf("ParseShard(%q) error = %v, want %q", in, err, want)
			}
		})
	}
}

// TestShardsPartition checks, over random target lists, that for every n
// in 1..8 the n shards are pairwise disjoint and together hold every target.
func TestShardsPartition(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	scopes := []secrets.Scope{secrets.RepoScope, secrets.EnvScope, secrets.OrgScope}
	kinds := []secrets.Kind{secrets.Actions, secrets.Dependabot, secrets.Codespaces}
	for round := range 200 {
		var targets []Target
		unique := map[string]bool{}
		for range rng.IntN(60) {
			tg := Target{Target: secrets.Target{
				Scope:       scopes[rng.IntN(len(scopes))],
				Kind:        kinds[rng.IntN(len(kinds))],
				Owner:       fmt.Sprintf("org%d", rng.IntN(3)),
				Repo:        fmt.Sprintf("repo-%d", rng.IntN(1000)),
				Environment: fmt.Sprintf("env%d", rng.IntN(2)),
				Org:         fmt.Sprintf("org%d", rng.IntN(3)),
			}}
			if !unique[tg.String()] {
				unique[tg.String()] = true
				targets = append(targets, tg)
			}
		}
		for n := 1; n <= 8; n++ {
			shardOf := map[string]int{}
			for i := 1; i <= n; i++ {
				got := SelectFunc(Shard{Index: i, Count: n}, targets, Target.String)
				if !isSubsequence(got, targets) {
					t.Fatalf("round %d: shard %d/%d changed the targets' order", round, i, n)
				}
				for _, g := range got {
					if prev, ok := shardOf[g.String()]; ok {
						t.Fatalf("round %d: %s is in shards %d/%d and %d/%d", round, g, prev, n, i, n)
					}
					shardOf[g.String()] = i
				}
			}
			for _, tg := range targets {
				if _, ok := shardOf[tg.String()]; !ok {
					t.Fatalf("round %d: %s is in none of the %d shards", round, tg, n)
				}
			}
			if len(shardOf) != len(targets) {
				t.Fatalf("round %d, n=%d: shards hold %d targets, want %d", round, n, len(shardOf), len(targets))
			}
		}
	}
}

func isSubsequence(sub, all []Target) bool {
	j := 0
	for _, s := range sub {
		for j < len(all) && all[j].String() != s.String() {
			j++
		}
		if j == len(all) {
			return false
		}
		j++
	}
	return true
}

// TestShardStable checks that a target's shard depends only on the target:
// adding other targets does not move it.
func TestShardStable(t *testing.T) {
	a := repoTarget("acme", "api")
	var others []Target
	for i := range 50 {
		others = append(others, repoTarget("acme", fmt.Sprintf("svc-%d", i)))
	}
	for n := 1; n <= 8; n++ {
		var alone, among []int
		for i := 1; i <= n; i++ {
			s := Shard{Index: i, Count: n}
			if len(SelectFunc(s, []Target{a}, Target.String)) == 1 {
				alone = append(alone, i)
			}
			if slices.ContainsFunc(SelectFunc(s, append(slices.Clone(others), a), Target.String), func(t Target) bool { return t.String() == a.String() }) {
				among = append(among, i)
			}
		}
		if diff := cmp.Diff(alone, among); len(alone) != 1 || diff != "" {
			t.Errorf("n=%d: shards holding %s alone %v, among others %v: want the same single shard", n, a, alone, among)
		}
	}
}

func TestSelectFuncBySecret(t *testing.T) {
	type pair struct{ secret, target string }
	var items []pair
	for _, s := range []string{"A", "B", "C", "D", "E"} {
		for _, tg := range []string{"repo:acme/x", "repo:acme/y", "org:acme"} {
			items = append(items, pair{s, tg})
		}
	}
	for n := 1; n <= 4; n++ {
		owner := map[string]int{}
		for i := 1; i <= n; i++ {
			for _, p := range SelectFunc(Shard{i, n}, items, func(p pair) string { return p.secret }) {
				if o, ok := owner[p.secret]; ok && o != i {
					t.Errorf("n=%d: secret %s split across shards %d and %d", n, p.secret, o, i)
				}
				owner[p.secret] = i
			}
		}
		if len(owner) != 5 {
			t.Errorf("n=%d: %d secrets placed, want 5", n, len(owner))
		}
	}
}

func repoTarget(owner, repo string) Target {
	return Target{Target: secrets.Target{Scope: secrets.RepoScope, Owner: owner, Repo: repo}}
}
