package secrets

import (
	"context"
	"sync"
)

// flight is a per-run cache that fetches each key at most once at a time:
// callers asking for a key that is being fetched wait for that fetch rather
// than sending their own (single flight). Values stay cached; errors do not,
// so a later caller tries again.
type flight[V any] struct {
	mu sync.Mutex
	m  map[string]*call[V]
}

type call[V any] struct {
	done chan struct{}
	v    V
	err  error
}

// get returns key's cached value, or fetches it.
func (f *flight[V]) get(ctx context.Context, key string, fetch func(context.Context) (V, error)) (V, error) {
	f.mu.Lock()
	if f.m == nil {
		f.m = map[string]*call[V]{}
	}
	if c, ok := f.m[key]; ok {
		f.mu.Unlock()
		select {
		case <-c.done:
			return c.v, c.err
		case <-ctx.Done():
			var zero V
			return zero, ctx.Err()
		}
	}
	c := &call[V]{done: make(chan struct{})}
	f.m[key] = c
	f.mu.Unlock()

	c.v, c.err = fetch(ctx)
	if c.err != nil {
		f.mu.Lock()
		if f.m[key] == c {
			delete(f.m, key)
		}
		f.mu.Unlock()
	}
	close(c.done)
	return c.v, c.err
}

// forget drops key's cached value if stale says it is stale, so that the
// next get fetches it again. Judging staleness by value means that of many
// callers who saw the same stale value, only the first causes a refetch.
func (f *flight[V]) forget(key string, stale func(V) bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.m[key]
	if !ok {
		return
	}
	select {
	case <-c.done:
		if c.err == nil && stale(c.v) {
			delete(f.m, key)
		}
	default:
		// Being fetched right now: that fetch is fresh.
	}
}

// has reports whether key has a value cached.
func (f *flight[V]) has(key string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.m[key]
	if !ok {
		return false
	}
	select {
	case <-c.done:
		return c.err == nil
	default:
		return false
	}
}

// set caches v for key unless a value is already cached or being fetched.
func (f *flight[V]) set(key string, v V) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.m == nil {
		f.m = map[string]*call[V]{}
	}
	if _, ok := f.m[key]; ok {
		return
	}
	c := &call[V]{done: make(chan struct{}), v: v}
	close(c.done)
	f.m[key] = c
}
