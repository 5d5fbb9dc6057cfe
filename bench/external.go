package main

import (
	"bytes"
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/pat-action/pat-action/emulator"
)

// The scenarios that start another binary: GitHub's CLI (c's second
// baseline) and pat-action's own (e).

// ghRun is scenario c's second baseline: a shell-style loop of
// `gh secret set`, one process per repository, against the emulator in GHES
// mode over TLS.
func ghRun(ctx context.Context, o options) (row, error) {
	n := defaultN(o, 200)
	gh, err := exec.LookPath(o.gh)
	if err != nil {
		return row{}, fmt.Errorf("gh not found (apt-get install -y gh): %w", err)
	}
	w, cert := newWorld(emulator.Options{GHES: true, Latency: o.latency}, n, true)
	defer w.close()
	dir, err := os.MkdirTemp("", "bench-gh")
	if err != nil {
		return row{}, err
	}
	defer os.RemoveAll(dir)
	certFile := filepath.Join(dir, "emulator.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(cert), 0o600); err != nil {
		return row{}, err
	}
	host := strings.TrimPrefix(strings.TrimSuffix(w.apiURL, "/api/v3"), "https://")
	env := append(os.Environ(), "GH_HOST="+host, "GH_ENTERPRISE_TOKEN="+benchToken, "SSL_CERT_FILE="+certFile,
		"GH_CONFIG_DIR="+filepath.Join(dir, "config"), "GH_NO_UPDATE_NOTIFIER=1", "GH_PROMPT_DISABLED=1", "NO_COLOR=1")
	start := time.Now()
	for _, repo := range w.repos {
		cmd := exec.CommandContext(ctx, gh, "secret", "set", "BENCH_PAT", "--repo", host+"/"+repo)
		cmd.Env = env
		cmd.Stdin = strings.NewReader("not-a-real-secret-value")
		var errb bytes.Buffer
		cmd.Stderr = &errb
		if err := cmd.Run(); err != nil {
			return row{}, fmt.Errorf("gh secret set for %s: %v: %s (requests the emulator did not serve: %v)",
				repo, err, lastLines(errb.String(), 3), w.emu.Unknown())
		}
	}
	wall := time.Since(start)
	for _, repo := range w.repos {
		if _, ok := w.emu.SecretValue("repo:"+repo, "BENCH_PAT"); !ok {
			return row{}, fmt.Errorf("gh exited 0 but %s has no secret", repo)
		}
	}
	out, _ := exec.Command(gh, "--version").Output()
	version, _, _ := strings.Cut(string(out), "\n")
	r := row{Scenario: "c. baseline: loop of `gh secret set`, GHES over TLS", N: n, C: 1, Latency: o.latency, Wall: wall,
		Bound: time.Duration(2 * n * int(o.latency)), Goal: "product ≥ 10x faster"}
	w.measure(&r)
	par, err := ghesParallel(ctx, o, n)
	if err != nil {
		return row{}, err
	}
	speedup := float64(wall) / float64(par)
	r.Met = speedup >= 10
	r.Note = fmt.Sprintf("%s; the product at concurrency %d over the same %d targets took %s: %.1fx faster", version, o.concurrency, n, round(par), speedup)
	return r, nil
}

// checkRun is scenario e: the static binary's check, start to exit, -runs
// times; exactly one request each.
func checkRun(ctx context.Context, o options) (row, error) {
	bin := o.binary
	if bin == "" {
		dir, err := os.MkdirTemp("", "bench-check")
		if err != nil {
			return row{}, err
		}
		defer os.RemoveAll(dir)
		bin = filepath.Join(dir, "pat-action")
		build := exec.CommandContext(ctx, "scripts/build-static.sh", bin)
		if out, err := build.CombinedOutput(); err != nil {
			return row{}, fmt.Errorf("scripts/build-static.sh (run bench from the repository root): %v: %s", err, out)
		}
	}
	w, _ := newWorld(emulator.Options{}, 0, false)
	defer w.close()
	var walls []time.Duration
	for range o.runs {
		cmd := exec.CommandContext(ctx, bin, "check", "--api-url", w.apiURL)
		cmd.Env = []string{"PAT_ACTION_TOKEN=" + benchToken}
		var errb bytes.Buffer
		cmd.Stderr = &errb
		start := time.Now()
		err := cmd.Run()
		walls = append(walls, time.Since(start))
		if err != nil {
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				return row{}, fmt.Errorf("check exited %d: %s", ee.ExitCode(), lastLines(errb.String(), 3))
			}
			return row{}, err
		}
	}
	slices.Sort(walls)
	r := row{Scenario: "e. check, static binary, start to exit (median)", N: o.runs, C: 1, Wall: walls[len(walls)/2],
		Goal: "exactly 1 request per run"}
	w.measure(&r)
	// Every run's one request is the probe; count it per run.
	r.PerTarget = float64(r.Requests) / float64(o.runs)
	r.Met = r.Requests == o.runs
	st, _ := os.Stat(bin)
	size := int64(0)
	if st != nil {
		size = st.Size()
	}
	r.Note = fmt.Sprintf("%d runs: min %s, median %s, max %s; %d requests in all; binary %.1f MB; emulator latency 0",
		o.runs, round(walls[0]), round(walls[len(walls)/2]), round(walls[len(walls)-1]), r.Requests, float64(size)/1e6)
	return r, nil
}
