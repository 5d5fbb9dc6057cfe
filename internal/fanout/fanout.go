// Package fanout runs a function over many items with a bounded number of
// calls at once and gives back the results in the order of the items.
package fanout

import (
	"context"
	"sync"
)

// Map calls f on every item, at most n calls at once (n below 1 means 1),
// and returns f's results and errors, each at its item's index. Once ctx is
// done no further call starts: every item not yet started gets ctx's error
// and a zero result. Map returns when all calls it started have returned.
func Map[T, R any](ctx context.Context, n int, items []T, f func(context.Context, T) (R, error)) ([]R, []error) {
	results := make([]R, len(items))
	errs := make([]error, len(items))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(max(n, 1), len(items)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				results[i], errs[i] = f(ctx, items[i])
			}
		}()
	}
	next := 0
feed:
	for ; next < len(items); next++ {
		// A done ctx wins over a free worker: select alone picks at random.
		if ctx.Err() != nil {
			break
		}
		select {
		case jobs <- next:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	for i := next; i < len(items); i++ {
		errs[i] = ctx.Err()
	}
	return results, errs
}
