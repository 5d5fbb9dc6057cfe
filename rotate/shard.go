package rotate

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
)

// Shard is one of n deterministic slices of the work, from the shard input
// "i/n". The zero Shard is treated as 1/1: everything.
//
// An item belongs to shard i of n when the FNV-1a 64-bit hash of its key,
// modulo n, is i-1. Hashing, rather than slicing a sorted list by index,
// means an item's shard depends only on the item: jobs of one matrix that
// list an organization's repositories at slightly different moments still
// cover every target exactly once, at the cost of shards that are balanced
// only on average.
type Shard struct {
	Index int // 1-based
	Count int
}

// ParseShard parses "i/n" with 1 <= i <= n. The empty string is 1/1.
func ParseShard(s string) (Shard, error) {
	if s == "" {
		return Shard{Index: 1, Count: 1}, nil
	}
	is, ns, ok := strings.Cut(s, "/")
	i, ierr := strconv.Atoi(is)
	n, nerr := strconv.Atoi(ns)
	if !ok || !digits(is) || !digits(ns) || ierr != nil || nerr != nil || n < 1 || i < 1 || i > n {
		return Shard{}, fmt.Errorf("shard %q: want i/n with 1 <= i <= n", s)
	}
	return Shard{Index: i, Count: n}, nil
}

// Has reports whether the item with this key belongs to the shard.
func (s Shard) Has(key string) bool {
	if s.Count <= 1 {
		return true
	}
	h := fnv.New64a()
	h.Write([]byte(key)) // never fails
	return h.Sum64()%uint64(s.Count) == uint64(s.Index-1)
}

// SelectFunc returns the items of the shard, each keyed by key, in their
// original order. A runner whose value must be the same in every target
// (a random or deploy-key secret) keys by the secret name, so that one job
// handles all of that secret's targets.
func SelectFunc[T any](s Shard, items []T, key func(T) string) []T {
	var out []T
	for _, it := range items {
		if s.Has(key(it)) {
			out = append(out, it)
		}
	}
	return out
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
