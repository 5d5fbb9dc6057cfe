// Command bench measures pat-action against its own GitHub API emulator with
// injected latency and rate limits, and reports counts and wall times beside
// their lower bounds.
//
// It runs the product in-process through app.Run (the CLI front end, the
// same code path the binary runs), except for the check scenario, which
// starts the static binary, and the gh scenario, which starts GitHub's CLI.
// Times are reported, never asserted; with -ci it fails only on counts:
// more than -max-per-target requests per target, any secondary rate limit
// 403, or (scenario conns) more than concurrency + 3 TCP connections.
//
//	go run ./bench -scenario ghes -n 100 -latency 50ms
//	go run ./bench -scenario paced -n 200
//	go run ./bench -scenario paced -n 50 -window 6s   # points scaled to 90
//	go run ./bench -scenario conns -n 100
//	go run ./bench -scenario ghes10k -concurrency 100
//	go run ./bench -scenario shards -n 400 -shards 4
//	go run ./bench -scenario all
package main

import (
	"bytes"
	"context"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/pat-action/pat-action/app"
	"github.com/pat-action/pat-action/emulator"
)

// benchToken is the emulator's token: classic, broad enough to write every
// kind of secret. It is not a real token.
const benchToken = "ghp_bench00000000000000000000000000000000"

// options are the benchmark's flags.
type options struct {
	scenario     string
	n            int
	latency      time.Duration
	concurrency  int
	window       time.Duration
	points       int
	runs         int
	ci           bool
	maxPerTarget float64
	gh           string
	binary       string
	shards       int
	unshared     bool
}

// row is one measured scenario.
type row struct {
	Scenario  string
	N, C      int
	Latency   time.Duration
	Wall      time.Duration
	Requests  int
	PerTarget float64
	Secondary int
	Conns     int
	// MaxConns, when set, is the most connections -ci accepts.
	MaxConns   int
	Bound      time.Duration
	Goal       string
	Met        bool
	Note       string
	Operations map[string]int
	// judged rows are held to -ci's counts.
	judged bool
}

func main() {
	var o options
	flag.StringVar(&o.scenario, "scenario", "all", "ghes, paced, sequential, gh, org, check, conns, ghes10k, shards, or all")
	flag.IntVar(&o.n, "n", 0, "targets (default per scenario: ghes 100, paced 200, sequential 200, gh 200, org 1000, conns 100, ghes10k 10000, shards 400)")
	flag.DurationVar(&o.latency, "latency", 50*time.Millisecond, "latency the emulator adds to every request")
	flag.IntVar(&o.concurrency, "concurrency", 20, "the product's concurrency input")
	flag.DurationVar(&o.window, "window", time.Minute, "paced: the secondary-limit window, emulator and pacing alike")
	flag.IntVar(&o.points, "points", 0, "paced: points per window (default 900 scaled to -window)")
	flag.IntVar(&o.runs, "runs", 20, "check: how many times to start the binary")
	flag.BoolVar(&o.ci, "ci", false, "exit 1 when a scenario exceeds -max-per-target requests per target or receives a secondary 403")
	flag.Float64Var(&o.maxPerTarget, "max-per-target", 2, "with -ci: the most requests per target")
	flag.StringVar(&o.gh, "gh", "gh", "gh scenario: the gh binary")
	flag.StringVar(&o.binary, "binary", "", "check scenario: the static binary (default: build it with scripts/build-static.sh)")
	flag.IntVar(&o.shards, "shards", 4, "shards: how many shard jobs run at once against one account")
	flag.BoolVar(&o.unshared, "unshared", false, "shards: give each shard the whole budget, as before shards shared it")
	flag.Parse()
	if o.points == 0 {
		o.points = max(int(900*o.window/time.Minute), 10)
	}
	os.Exit(run(context.Background(), o, os.Stdout, os.Stderr))
}

func run(ctx context.Context, o options, stdout, stderr io.Writer) int {
	scenarios := map[string]func(context.Context, options) ([]row, error){
		"ghes": one(ghesRun), "paced": one(pacedRun), "sequential": one(sequentialRun),
		"gh": one(ghRun), "org": one(orgRun), "check": one(checkRun),
		"conns": connsRun, "ghes10k": one(bigRun), "shards": one(shardsRun),
	}
	names := []string{o.scenario}
	if o.scenario == "all" {
		names = []string{"ghes", "paced", "sequential", "gh", "org", "check", "conns", "ghes10k", "shards"}
	}
	fmt.Fprintf(stdout, "machine: %s/%s, %d CPUs, %s, %s\n\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), memory(), runtime.Version())
	fmt.Fprintln(stdout, "| scenario | N | C | latency | wall | requests | per target | secondary 403s | TCP connections | lower bound | ratio | goal | met |")
	fmt.Fprintln(stdout, "|---|---|---|---|---|---|---|---|---|---|---|---|---|")
	code := 0
	var notes []string
	for _, name := range names {
		f, ok := scenarios[name]
		if !ok {
			fmt.Fprintf(stderr, "bench: unknown scenario %q: want ghes, paced, sequential, gh, org, check or all\n", name)
			return 2
		}
		rows, err := f(ctx, o)
		if err != nil {
			fmt.Fprintf(stderr, "bench %s: %v\n", name, err)
			code = 1
			continue
		}
		for _, r := range rows {
			fmt.Fprintln(stdout, r.markdown())
			notes = append(notes, fmt.Sprintf("- %s: %s; operations: %s", r.Scenario, r.Note, opsText(r.Operations)))
			if o.ci && r.judged && (r.PerTarget > o.maxPerTarget || r.Secondary > 0 || r.MaxConns > 0 && r.Conns > r.MaxConns) {
				fmt.Fprintf(stderr, "bench %s: FAIL: %.3f requests per target (most %.0f), %d secondary-limit 403s (want 0), %d TCP connections (most %d)\n",
					name, r.PerTarget, o.maxPerTarget, r.Secondary, r.Conns, r.MaxConns)
				code = 1
			}
		}
	}
	fmt.Fprintln(stdout)
	for _, n := range notes {
		fmt.Fprintln(stdout, n)
	}
	return code
}

func (r row) markdown() string {
	ratio, bound := "-", "-"
	if r.Bound > 0 {
		ratio = fmt.Sprintf("%.2fx", float64(r.Wall)/float64(r.Bound))
		bound = round(r.Bound).String()
	}
	met := "no"
	if r.Met {
		met = "yes"
	}
	return fmt.Sprintf("| %s | %d | %d | %s | %s | %d | %.3f | %d | %d | %s | %s | %s | %s |",
		r.Scenario, r.N, r.C, r.Latency, round(r.Wall), r.Requests, r.PerTarget, r.Secondary, r.Conns, bound, ratio, r.Goal, met)
}

// one makes a scenario of one row.
func one(f func(context.Context, options) (row, error)) func(context.Context, options) ([]row, error) {
	return func(ctx context.Context, o options) ([]row, error) {
		r, err := f(ctx, o)
		if err != nil {
			return nil, err
		}
		return []row{r}, nil
	}
}

func round(d time.Duration) time.Duration {
	if d > 10*time.Second {
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}

func opsText(ops map[string]int) string {
	var keys []string
	for k := range ops {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return ops[keys[i]] > ops[keys[j]] || ops[keys[i]] == ops[keys[j]] && keys[i] < keys[j]
	})
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d× %s", ops[k], k))
	}
	return strings.Join(parts, ", ")
}

// world is one emulated GitHub with n repositories acme/repo-000... .
type world struct {
	emu    *emulator.Server
	apiURL string
	close  func()
	repos  []string
	// conns counts the TCP connections opened to the server.
	conns atomic.Int64
}

func newWorld(opts emulator.Options, n int, tls bool) (*world, *pem.Block) {
	emu := emulator.New(opts)
	emu.AddToken(emulator.Token{Value: benchToken, Login: "octocat",
		Scopes: []string{"repo", "workflow", "admin:org"}, ExpiresAt: time.Now().Add(90 * 24 * time.Hour)})
	emu.AddRepos("acme", n, func(i int) emulator.Repo { return emulator.Repo{Name: fmt.Sprintf("repo-%04d", i)} })
	w := &world{emu: emu}
	for i := range n {
		w.repos = append(w.repos, fmt.Sprintf("acme/repo-%04d", i))
	}
	srv := httptest.NewUnstartedServer(emu)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			w.conns.Add(1)
		}
	}
	var cert *pem.Block
	if tls {
		srv.StartTLS()
		cert = &pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}
	} else {
		srv.Start()
	}
	w.apiURL, w.close = srv.URL, srv.Close
	if opts.GHES {
		w.apiURL += "/api/v3"
	}
	return w, cert
}

// measure fills a row's counts from the emulator. The check's one probe of
// the token (GET /user) is not a target's request.
func (w *world) measure(r *row) {
	r.Operations = map[string]int{}
	probe := 0
	for _, q := range w.emu.Requests() {
		op := q.Operation
		if op == "" {
			op = "UNKNOWN " + q.Method + " " + q.Path
		}
		r.Operations[op]++
		if op == "GET /user" || op == "HEAD /" {
			probe++
		}
	}
	r.Requests = len(w.emu.Requests())
	if r.N > 0 {
		r.PerTarget = float64(r.Requests-probe) / float64(r.N)
	}
	r.Secondary = w.emu.SecondaryLimited()
	r.Conns = int(w.conns.Load())
}

// store runs the product's store command in-process and returns its wall
// time.
func store(ctx context.Context, apiURL string, args ...string) (time.Duration, error) {
	env := map[string]string{"PAT_ACTION_TOKEN": benchToken}
	var out, errb bytes.Buffer
	start := time.Now()
	code := app.Run(ctx, append([]string{"store", "--api-url", apiURL, "--secret-name", "BENCH_PAT"}, args...),
		func(k string) string { return env[k] }, strings.NewReader(""), &out, &errb)
	wall := time.Since(start)
	if code != 0 {
		return wall, fmt.Errorf("store exited %d: %s", code, lastLines(errb.String(), 5))
	}
	return wall, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(len(lines)-n, 0):], "\n")
}

func defaultN(o options, n int) int {
	if o.n > 0 {
		return o.n
	}
	return n
}

// ghesRun is scenario a: GHES (no rate limits, pacing off), repository
// targets, latency L; the bound is 2·N·L/C (a GET of the key and a PUT per
// target, C at once).
func ghesRun(ctx context.Context, o options) (row, error) {
	n := defaultN(o, 100)
	w, _ := newWorld(emulator.Options{GHES: true, Latency: o.latency}, n, false)
	defer w.close()
	wall, err := store(ctx, w.apiURL, "--repositories", strings.Join(w.repos, ","), "--concurrency", strconv.Itoa(o.concurrency))
	if err != nil {
		return row{}, err
	}
	r := row{Scenario: "a. GHES, repository secrets", N: n, C: o.concurrency, Latency: o.latency, Wall: wall,
		Bound: time.Duration(2 * n * int(o.latency) / o.concurrency), Goal: "≤ 1.20x", judged: true}
	w.measure(&r)
	r.Met = float64(r.Wall) <= 1.2*float64(r.Bound)
	r.Note = fmt.Sprintf("the bound leaves out the check's one probe (one more latency, %s)", o.latency)
	return r, nil
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

// memory reads the machine's memory from /proc/meminfo.
func memory() string {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return "memory unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "MemTotal:" {
			kb, _ := strconv.Atoi(f[1])
			return fmt.Sprintf("%.1f GiB memory", float64(kb)/(1<<20))
		}
	}
	return "memory unknown"
}
