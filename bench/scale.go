package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/pat-action/pat-action/app"
	"github.com/pat-action/pat-action/emulator"
)

// connsRun is scenario f: the TCP connections one store opens to the API,
// at concurrencies from 1 to 100 over the same N targets on GHES. A run
// reuses its connections: at most C plus the token check's one.
func connsRun(ctx context.Context, o options) ([]row, error) {
	n := defaultN(o, 100)
	var rows []row
	for _, c := range []int{1, 10, 20, 50, 100} {
		w, _ := newWorld(emulator.Options{GHES: true, Latency: o.latency}, n, false)
		wall, err := store(ctx, w.apiURL, "--repositories", strings.Join(w.repos, ","), "--concurrency", strconv.Itoa(c))
		if err != nil {
			w.close()
			return nil, err
		}
		r := row{Scenario: "f. TCP connections per run, GHES", N: n, C: c, Latency: o.latency, Wall: wall,
			Bound: time.Duration(2 * n * int(o.latency) / c), Goal: fmt.Sprintf("≤ C+3 = %d connections", c+3), judged: true}
		w.measure(&r)
		w.close()
		r.MaxConns = c + 3
		r.Met = r.Conns <= r.MaxConns
		r.Note = fmt.Sprintf("C = %d: %d connections for %d requests", c, r.Conns, r.Requests)
		rows = append(rows, r)
	}
	return rows, nil
}

// peakMemory samples the Go heap in use until stop is called, and returns
// the peak and the process's peak resident set.
func peakMemory() (stop func() (heap, rss uint64)) {
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() (uint64, uint64) {
		close(done)
		wg.Wait()
		var ru syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return peak.Load(), uint64(ru.Maxrss) * 1024
	}
}

// bigRun is scenario g: scenario a at scale, 10,000 repository targets on
// GHES; wall against 2·N·L/C, and memory. The emulator runs in the same
// process, so the memory figures hold both.
func bigRun(ctx context.Context, o options) (row, error) {
	n := defaultN(o, 10000)
	w, _ := newWorld(emulator.Options{GHES: true, Latency: o.latency}, n, false)
	defer w.close()
	runtime.GC()
	stop := peakMemory()
	wall, err := storeRepos(ctx, w, o)
	heap, rss := stop()
	if err != nil {
		return row{}, err
	}
	r := ghesRow(w, "g. GHES at scale, repository secrets", n, o, wall)
	r.Note = fmt.Sprintf("peak Go heap in use %.0f MB, peak RSS %.0f MB (product and emulator in one process)", float64(heap)/1e6, float64(rss)/1e6)
	return r, nil
}

// shardsRun is scenario h: -shards rotate jobs at once, each `--shard i/n`
// of one plan of N repository targets, against one account's secondary
// limits. With the window github.com has (-window 1m, 900 points) the jobs
// pace with --pacing auto, which gives each 1/n of the budget; with a
// scaled window they are given that share explicitly. -unshared gives each
// job the whole budget, as auto did before. The bound is the points all
// jobs spent, at the budget's rate.
func shardsRun(ctx context.Context, o options) (row, error) {
	n := defaultN(o, 400)
	lim := emulator.Limits{Concurrent: 100, Points: o.points, Window: o.window}
	w, _ := newWorld(emulator.Options{Latency: o.latency, Limits: lim}, n, false)
	defer w.close()
	dir, err := os.MkdirTemp("", "bench-shards")
	if err != nil {
		return row{}, err
	}
	defer os.RemoveAll(dir)
	var plan strings.Builder
	plan.WriteString("version: 1\nsecrets:\n  - name: BENCH_PAT\n    source: {type: token, env: NEW_PAT}\n    targets:\n")
	for _, repo := range w.repos {
		fmt.Fprintf(&plan, "      - repository: %s\n", repo)
	}
	planFile := filepath.Join(dir, "plan.yml")
	if err := os.WriteFile(planFile, []byte(plan.String()), 0o600); err != nil {
		return row{}, err
	}
	pacing := "auto"
	switch {
	case o.unshared:
		pacing = fmt.Sprintf("%d/%s", o.points, o.window)
	case o.points != 900 || o.window != time.Minute:
		pacing = fmt.Sprintf("%d/%s", max(o.points/o.shards, 10), o.window)
	}
	env := map[string]string{"PAT_ACTION_ADMIN_TOKEN": benchToken, "NEW_PAT": benchToken}
	errs := make([]error, o.shards)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range o.shards {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var out, errb bytes.Buffer
			code := app.Run(ctx, []string{"rotate", "--api-url", w.apiURL, "--config", planFile, "--force",
				"--shard", fmt.Sprintf("%d/%d", i+1, o.shards), "--pacing", pacing, "--concurrency", strconv.Itoa(o.concurrency)},
				func(k string) string { return env[k] }, strings.NewReader(""), &out, &errb)
			if code != 0 {
				errs[i] = fmt.Errorf("shard %d/%d exited %d: %s", i+1, o.shards, code, lastLines(errb.String(), 5))
			}
		}()
	}
	wg.Wait()
	wall := time.Since(start)
	// A failed shard is a finding (the unshared baseline fails), not an
	// error of the benchmark: it is reported in the row.
	failed := 0
	for _, err := range errs {
		if err != nil {
			failed++
			fmt.Fprintf(os.Stderr, "bench shards: %v\n", err)
		}
	}
	missing := 0
	for _, repo := range w.repos {
		if _, ok := w.emu.SecretValue("repo:"+repo, "BENCH_PAT"); !ok {
			missing++
		}
	}
	points := w.emu.Points()
	r := row{Scenario: fmt.Sprintf("h. %d parallel shards, github.com limits (%d points/%s; --pacing %s each)", o.shards, o.points, o.window, pacing),
		N: n, C: o.concurrency, Latency: o.latency, Wall: wall,
		Bound: time.Duration(float64(points) / float64(o.points) * float64(o.window)), Goal: "0 secondary 403s, ≤ 1.25x", judged: true}
	w.measure(&r)
	r.Met = r.Secondary == 0 && failed == 0 && missing == 0 && float64(r.Wall) <= 1.25*float64(r.Bound)
	r.Note = fmt.Sprintf("%d points admitted in all, most in flight %d; %d of %d shards failed, %d targets without the secret",
		points, w.emu.InFlightMax(), failed, o.shards, missing)
	return r, nil
}
