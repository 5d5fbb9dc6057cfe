// Package app runs pat-action's commands for its two front ends, the CLI and
// the container action, which fill the same options and share one code path.
package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/google/go-github/v45/github"

	"github.com/pat-action/pat-action/ghclient"
)

// Version is stamped at build time with
// -ldflags "-X github.com/pat-action/pat-action/app.Version=v1.2.3".
var Version = "dev"

// runtime is the process around a run: environment, streams, clock and
// network, all injected so a test can be the process.
type runtime struct {
	getenv         func(string) string
	stdin          io.Reader
	stdout, stderr io.Writer
	// rawStdout is stdout before redaction, for the action's add-mask
	// commands only.
	rawStdout io.Writer
	now       func() time.Time
	transport http.RoundTripper
	// action is true in the container-action front end.
	action bool
	// stderrTTY is true when stderr is a terminal, for live progress.
	stderrTTY bool
	// sleep waits between retries; nil is a real timer. Tests make it
	// instant.
	sleep func(context.Context, time.Duration) error
	// timeout bounds each request; zero is ghclient's default. Tests make
	// it short so that a response slower than the timeout is quick to see.
	timeout time.Duration
	// mask is called with every value the run makes or reads before it
	// is used: it is redacted from every output, and in the action masked
	// in the workflow log before anything else is printed (::add-mask::).
	mask func(string)
	// files, when set, reads files (plans, private keys) instead of the
	// file system: the demo's plan lives in memory, so the demo runs in a
	// root with no writable directory.
	files func(name string) ([]byte, error)
	// redact knows every secret of the run and scrubs them from every
	// output; run sets it up.
	redact *redactor
	// unsent is the CLI's tokens.unsent: why no token was read.
	unsent string
}

// readFile reads a file the inputs name.
func (rt runtime) readFile(name string) ([]byte, error) {
	if rt.files != nil {
		return rt.files(name)
	}
	return os.ReadFile(name)
}

// open opens a file the inputs name, for a reader that bounds how much it
// reads (a plan).
func (rt runtime) open(name string) (io.ReadCloser, error) {
	if rt.files != nil {
		data, err := rt.files(name)
		if err != nil {
			return nil, err
		}
		return io.NopCloser(bytes.NewReader(data)), nil
	}
	return os.Open(name)
}

// clients is how every command makes its GitHub clients: for a token, a
// client to api paced by p, retrying as GitHub asks with waits on the
// runtime's clock, through the runtime's transport and request timeout,
// with conc connections for conc targets at once (zero: ghclient's default).
func (rt runtime) clients(api ghclient.API, p ghclient.Pacing, conc int) func(tok string) *github.Client {
	return func(tok string) *github.Client {
		return ghclient.New(api, ghclient.Options{Token: tok, UserAgent: userAgent(), Transport: rt.transport, Timeout: rt.timeout,
			Concurrency: conc, Pacing: p, Retry: ghclient.Retry{Sleep: rt.sleep, Now: rt.now}})
	}
}

// Run runs pat-action with the process's arguments (without the program
// name), environment and standard streams, and returns the exit code. In a
// workflow (GITHUB_ACTIONS=true, no arguments) it is the container action.
func Run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	rt := runtime{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr, now: time.Now, stderrTTY: isTerminal(stderr)}
	return rt.run(ctx, args)
}

func (rt runtime) run(ctx context.Context, args []string) int {
	// Every output goes through the redactor. The action's masks, which
	// must name the values, go to the raw stdout (runAction).
	rt.redact = &redactor{}
	rt.rawStdout = rt.stdout
	rt.stdout, rt.stderr = rt.redact.writer(rt.stdout), rt.redact.writer(rt.stderr)
	rt.mask = rt.redact.add
	if len(args) == 0 && rt.getenv("GITHUB_ACTIONS") == "true" {
		rt.action = true
		return rt.runAction(ctx)
	}
	return rt.runCLI(ctx, args)
}

// tokens are the secrets a command is given: the tokens it authenticates
// with, a GitHub App's private key, and the previous token a store revokes.
type tokens struct {
	token, admin string
	appKey       string
	previous     string
	// stateKey signs and authenticates the rotation state.
	stateKey string
	// unsent says why a token in the environment was not read (github.com's
	// GH_TOKEN for another server), for the message if the run needs one.
	unsent string
}

// execute runs command with its inputs. Both front ends call it.
func (rt runtime) execute(ctx context.Context, command string, v values, toks tokens) (*Report, error) {
	rep := newReport()
	if command == "check" || command == "store" {
		if err := rt.withRepositoriesFile(v); err != nil {
			return rep, err
		}
	}
	switch command {
	case "check":
		o, err := checkOptions(v, toks.token, rt)
		if err != nil {
			return rep, err
		}
		o.Org, o.Admin = v.str("organization"), toks.admin
		return rep, runCheck(ctx, o, rep)
	case "store":
		o, err := storeOptions(v, toks, rt)
		if err != nil {
			return rep, err
		}
		return rep, runStore(ctx, o, rep)
	case "rotate":
		o, err := rotateOptions(v, toks, rt)
		if err != nil {
			return rep, err
		}
		return rep, runRotate(ctx, o, rep)
	case "audit":
		o, err := auditOptions(v, toks, rt)
		if err != nil {
			return rep, err
		}
		return rep, runAudit(ctx, o, rep)
	case "tokens":
		o, err := tokensOptions(v, toks, rt)
		if err != nil {
			return rep, err
		}
		return rep, runTokens(ctx, o, rep)
	default:
		return rep, usagef("unknown command %q: want one of check, store, rotate, audit, tokens, demo, version", command)
	}
}

// commandTitle is the heading of a command's job summary.
func commandTitle(command string) string {
	return fmt.Sprintf("pat-action %s", command)
}
