package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/pat-action/pat-action/emulator"
)

// The scenarios that store on the emulator: a to d.

// ghesRun is scenario a: GHES (no rate limits, pacing off), repository
// targets, latency L; the bound is 2·N·L/C (a GET of the key and a PUT per
// target, C at once).
func ghesRun(ctx context.Context, o options) (row, error) {
	n := defaultN(o, 100)
	w, _ := newWorld(emulator.Options{GHES: true, Latency: o.latency}, n, false)
	defer w.close()
	wall, err := storeRepos(ctx, w, o)
	if err != nil {
		return row{}, err
	}
	r := ghesRow(w, "a. GHES, repository secrets", n, o, wall)
	r.Note = fmt.Sprintf("the bound leaves out the check's one probe (one more latency, %s)", o.latency)
	return r, nil
}

// storeRepos stores one secret in every repository of w, C at once.
func storeRepos(ctx context.Context, w *world, o options) (time.Duration, error) {
	return store(ctx, w.apiURL, "--repositories", strings.Join(w.repos, ","), "--concurrency", strconv.Itoa(o.concurrency))
}

// ghesRow is the row of a store to n repositories on GHES: it took wall,
// against a bound of 2·N·L/C (a GET of the key and a PUT per target, C at
// once), met within 20%.
func ghesRow(w *world, scenario string, n int, o options, wall time.Duration) row {
	r := row{Scenario: scenario, N: n, C: o.concurrency, Latency: o.latency, Wall: wall,
		Bound: time.Duration(2 * n * int(o.latency) / o.concurrency), Goal: "≤ 1.20x", judged: true}
	w.measure(&r)
	r.Met = float64(r.Wall) <= 1.2*float64(r.Bound)
	return r
}

// pacedRun is scenario b: github.com with its secondary limits enforced
// (Points per Window, 100 in flight) and the product's pacing on; the bound
// is the points budget, N·(1 GET + 5 PUT points)/Points·Window.
func pacedRun(ctx context.Context, o options) (row, error) {
	n := defaultN(o, 200)
	lim := emulator.Limits{Concurrent: 100, Points: o.points, Window: o.window}
	w, _ := newWorld(emulator.Options{Latency: o.latency, Limits: lim}, n, false)
	defer w.close()
	pacing := "auto"
	if o.points != 900 || o.window != time.Minute {
		pacing = fmt.Sprintf("%d/%s", o.points, o.window)
	}
	wall, err := store(ctx, w.apiURL, "--repositories", strings.Join(w.repos, ","),
		"--concurrency", strconv.Itoa(o.concurrency), "--pacing", pacing)
	if err != nil {
		return row{}, err
	}
	points := n * 6
	r := row{Scenario: fmt.Sprintf("b. github.com paced (%d points/%s, 100 in flight; --pacing %s)", o.points, o.window, pacing),
		N: n, C: o.concurrency, Latency: o.latency, Wall: wall,
		Bound: time.Duration(float64(points) / float64(o.points) * float64(o.window)), Goal: "0 secondary 403s, ≤ 1.15x", judged: true}
	w.measure(&r)
	r.Met = r.Secondary == 0 && float64(r.Wall) <= 1.15*float64(r.Bound)
	r.Note = fmt.Sprintf("%d points admitted (%d by the targets' 1 GET + 5 PUT each), most in flight %d", w.emu.Points(), points, w.emu.InFlightMax())
	return r, nil
}

// sequentialRun is scenario c's first baseline: the product itself at
// concurrency 1 on GHES, against the same product at -concurrency.
func sequentialRun(ctx context.Context, o options) (row, error) {
	n := defaultN(o, 200)
	w, _ := newWorld(emulator.Options{GHES: true, Latency: o.latency}, n, false)
	defer w.close()
	seq, err := store(ctx, w.apiURL, "--repositories", strings.Join(w.repos, ","), "--concurrency", "1")
	if err != nil {
		return row{}, err
	}
	r := row{Scenario: "c. sequential baseline: product at concurrency 1, GHES", N: n, C: 1, Latency: o.latency, Wall: seq,
		Bound: time.Duration(2 * n * int(o.latency)), Goal: fmt.Sprintf("concurrency %d ≥ 10x faster", o.concurrency)}
	w.measure(&r)

	w2, _ := newWorld(emulator.Options{GHES: true, Latency: o.latency}, n, false)
	defer w2.close()
	par, err := store(ctx, w2.apiURL, "--repositories", strings.Join(w2.repos, ","), "--concurrency", strconv.Itoa(o.concurrency))
	if err != nil {
		return row{}, err
	}
	speedup := float64(seq) / float64(par)
	r.Met = speedup >= 10
	r.Note = fmt.Sprintf("the same %d targets at concurrency %d took %s: %.1fx faster", n, o.concurrency, round(par), speedup)
	return r, nil
}

func ghesParallel(ctx context.Context, o options, n int) (time.Duration, error) {
	w, _ := newWorld(emulator.Options{GHES: true, Latency: o.latency}, n, false)
	defer w.close()
	return store(ctx, w.apiURL, "--repositories", strings.Join(w.repos, ","), "--concurrency", strconv.Itoa(o.concurrency))
}

// orgRun is scenario d: one organization secret shared with N selected
// repositories. The goal is requests in O(pages of 100), not O(N).
func orgRun(ctx context.Context, o options) (row, error) {
	n := defaultN(o, 1000)
	w, _ := newWorld(emulator.Options{GHES: true, Latency: o.latency}, n, false)
	defer w.close()
	wall, err := store(ctx, w.apiURL, "--organization", "acme", "--repositories", strings.Join(w.repos, ","),
		"--concurrency", strconv.Itoa(o.concurrency))
	if err != nil {
		return row{}, err
	}
	pages := (n + 99) / 100
	r := row{Scenario: "d. organization secret, visibility selected", N: 1, C: o.concurrency, Latency: o.latency, Wall: wall,
		Goal: fmt.Sprintf("O(pages): at most %d requests", pages+4)}
	w.measure(&r)
	// Beyond the pages of GET /orgs/{org}/repos: the token probe, the
	// organization, its public key and the PUT.
	r.Met = r.Requests <= pages+4
	vis, ids := w.emu.OrgSecretRepos("org:acme", "BENCH_PAT")
	r.Note = fmt.Sprintf("one target sharing with %d repositories (visibility %s, %d ids stored)", n, vis, len(ids))
	return r, nil
}
