package fanout_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pat-action/pat-action/internal/fanout"
)

// gate counts calls in flight and records the most at once; each call
// waits until the test releases it, so that every worker that can start
// does start before any finishes.
type gate struct {
	mu           sync.Mutex
	now, highest int
	started      chan struct{}
	release      chan struct{}
}

func newGate() *gate {
	return &gate{started: make(chan struct{}, 1000), release: make(chan struct{})}
}

func (g *gate) call(ctx context.Context, v int) (string, error) {
	g.mu.Lock()
	g.now++
	g.highest = max(g.highest, g.now)
	g.mu.Unlock()
	g.started <- struct{}{}
	<-g.release
	g.mu.Lock()
	g.now--
	g.mu.Unlock()
	if v%3 == 0 {
		return "", fmt.Errorf("item %d failed", v)
	}
	return fmt.Sprint("v", v), nil
}

func TestMapBoundsCallsAndKeepsOrder(t *testing.T) {
	for _, tc := range []struct {
		name     string
		n, items int
		want     int // most calls at once
	}{
		{"fewer items than n", 8, 3, 3},
		{"more items than n", 4, 50, 4},
		{"n of 1", 1, 5, 1},
		{"n below 1 is 1", 0, 5, 1},
		{"no items", 4, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := newGate()
			items := make([]int, tc.items)
			for i := range items {
				items[i] = i
			}
			done := make(chan struct{})
			var got []string
			var errs []error
			go func() {
				defer close(done)
				got, errs = fanout.Map(context.Background(), tc.n, items, g.call)
			}()
			// Fill the pool, then release one call at a time and wait for
			// the next to start, so the pool is as full as it can get
			// before any call returns: a pool larger than n would show.
			for range tc.want {
				<-g.started
			}
			// Every call in flight is blocked: let any other runnable
			// goroutine run, so that a worker beyond n would start now.
			for range 1000 {
				runtime.Gosched()
			}
			for i := range tc.items {
				g.release <- struct{}{}
				if i+tc.want < tc.items {
					<-g.started
				}
			}
			<-done
			if g.highest != tc.want {
				t.Errorf("at most %d calls at once, want %d", g.highest, tc.want)
			}
			for i := range items {
				wantV, wantErr := fmt.Sprint("v", i), ""
				if i%3 == 0 {
					wantV, wantErr = "", fmt.Sprintf("item %d failed", i)
				}
				gotErr := ""
				if errs[i] != nil {
					gotErr = errs[i].Error()
				}
				if got[i] != wantV || gotErr != wantErr {
					t.Errorf("item %d: got %q, %q; want %q, %q", i, got[i], gotErr, wantV, wantErr)
				}
			}
		})
	}
}

func TestMapStopsStartingWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	items := make([]int, 20)
	for i := range items {
		items[i] = i
	}
	var mu sync.Mutex
	var called []int
	firstTwo := make(chan struct{})
	release := make(chan struct{})
	f := func(ctx context.Context, v int) (int, error) {
		mu.Lock()
		called = append(called, v)
		n := len(called)
		mu.Unlock()
		if n == 2 {
			close(firstTwo)
		}
		<-release
		return v * 10, ctx.Err()
	}
	done := make(chan struct{})
	var got []int
	var errs []error
	go func() {
		defer close(done)
		got, errs = fanout.Map(ctx, 2, items, f)
	}()
	<-firstTwo // both workers are busy with items 0 and 1
	cancel()
	close(release)
	<-done
	mu.Lock()
	defer mu.Unlock()
	// A worker that frees up after cancel may have been handed one more
	// item before the feeder saw ctx done; none after that.
	if len(called) > 3 {
		t.Fatalf("f called for %v after cancel, want at most one more than items 0 and 1", called)
	}
	ran := map[int]bool{}
	for _, v := range called {
		ran[v] = true
	}
	for i := range items {
		switch {
		case ran[i] && got[i] != i*10:
			t.Errorf("item %d ran but result is %d, want %d", i, got[i], i*10)
		case !ran[i] && (got[i] != 0 || !errors.Is(errs[i], context.Canceled)):
			t.Errorf("item %d never ran: got %d, %v; want 0, context.Canceled", i, got[i], errs[i])
		}
	}
}

func TestMapDoneContextStartsNothing(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	calls := 0
	got, errs := fanout.Map(ctx, 4, []string{"a", "b", "c"}, func(context.Context, string) (string, error) {
		calls++
		return "ran", nil
	})
	if calls != 0 {
		t.Errorf("f called %d times with a done context, want 0", calls)
	}
	if diff := cmp.Diff([]string{"", "", ""}, got); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	for i, err := range errs {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("item %d: error %v, want context.Canceled", i, err)
		}
	}
}
