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
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
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
