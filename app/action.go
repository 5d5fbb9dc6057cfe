package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/sethvargo/go-githubactions"

	"github.com/pat-action/pat-action/ghclient"
	"github.com/pat-action/pat-action/internal/suggest"
	"github.com/pat-action/pat-action/policy"
	"github.com/pat-action/pat-action/rotate"
)

// runAction is the container-action front end: inputs from INPUT_*, masks
// first, then outputs, a job summary and annotations.
func (rt runtime) runAction(ctx context.Context) int {
	a := githubactions.New(githubactions.WithGetenv(rt.getenv), githubactions.WithWriter(rt.stdout))
	// Masks name the values: they alone go out unredacted.
	masks := githubactions.New(githubactions.WithGetenv(rt.getenv), githubactions.WithWriter(rt.rawStdout))
	redact := rt.mask
	rt.mask = func(v string) {
		redact(v)
		maskLines(masks.AddMask)(v)
	}
	toks := tokens{token: a.GetInput("token"), admin: a.GetInput("admin-token"), appKey: a.GetInput("private-key"), previous: a.GetInput("previous-token"),
		stateKey: a.GetInput("state-key")}
	// Masks go out before anything else could print a value.
	for _, t := range []string{toks.token, toks.admin, toks.previous, toks.stateKey} {
		if t != "" {
			rt.mask(t)
		}
	}
	if toks.appKey != "" {
		rt.mask(toks.appKey)
	}
	if toks.admin == "" {
		toks.admin = toks.token
	}
	command := a.GetInput("mode")
	if command == "" {
		command = "check"
	}
	if !slices.Contains(commands, command) {
		a.Errorf("unknown mode %q: want one of %s%s", command, strings.Join(commands, ", "), suggest.Hint(command, commands))
		return exitUsage
	}
	// Every annotation goes through notes, so that each kind stays within
	// what GitHub shows for a step.
	var notes annotations
	v := values{}
	for _, in := range inputs {
		if in.actionOnly() {
			continue
		}
		s := a.GetInput(in.name)
		if s == "" {
			continue
		}
		if !in.usedBy(command) {
			// The runner passes action.yml's defaults too: only a value
			// the workflow chose is worth a warning.
			if s != in.def && !(in.bool && s == "false") {
				notes.warningf("input %s does not apply to mode %s: it is ignored", in.name, command)
			}
			continue
		}
		v[in.name] = s
	}
	// action.yml defaults api-url to ${{ github.api_url }}; a step that
	// runs the image without that default still talks to its own GitHub.
	if v["api-url"] == "" && rt.getenv("GITHUB_API_URL") != "" {
		v["api-url"] = rt.getenv("GITHUB_API_URL")
	}
	if command == "version" {
		notes.emit(a)
		fmt.Fprintln(rt.stdout, "pat-action", Version)
		return exitOK
	}
	if command == "demo" {
		// The demo's values are the emulator's, redacted but not
		// masked: the log shows what it does with them.
		rt.mask = redact
		notes.emit(a)
		return rt.runDemo(ctx)
	}
	// The step's files are checked before any request: a run that
	// cannot report must not write.
	if err := commandFilesWritable(rt.getenv); err != nil {
		notes.errorf("%v", err)
		notes.emit(a)
		return exitPartial
	}
	rep, err := rt.execute(ctx, command, v.withDefaults(), toks)
	code := exitCode(err)
	// Not before the run: values it makes are masked as they are made, and
	// nothing may be printed before their masks.
	a.Debugf("pat-action %s: %s against %s, exit %d", Version, command, ghclient.Redact(v.str("api-url")), code)
	if code == exitUsage {
		notes.errorf("%v", err)
		notes.emit(a)
		return code
	}
	rep.writeText(rt.stdout)
	if werr := rt.writeCommandFiles(a, rep, command); werr != nil {
		// GitHub was contacted: never exit 2 from here on.
		notes.errorf("%v", werr)
		code = exitPartial
	}
	var pe *policyError
	if err != nil && (errors.As(err, &pe) || rep.tells(err)) {
		err = nil // the report's annotations say it
	}
	annotate(&notes, rep, err)
	notes.emit(a)
	return code
}

// writeCommandFiles writes the outputs and the job summary, redacted.
// go-githubactions panics when a file write fails: that is an error here.
func (rt runtime) writeCommandFiles(a *githubactions.Action, rep *Report, command string) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("write the step's outputs or job summary: %v", p)
		}
	}()
	if rt.getenv("GITHUB_OUTPUT") != "" {
		for _, kv := range rep.outputs() {
			a.SetOutput(kv[0], rt.redact.redact(kv[1]))
		}
	}
	if rt.getenv("GITHUB_STEP_SUMMARY") != "" {
		a.AddStepSummary(rt.redact.redact(rep.markdown(commandTitle(command))))
	}
	return nil
}

// commandFilesWritable checks that the runner's command files can be
// appended to, as go-githubactions will.
func commandFilesWritable(getenv func(string) string) error {
	for _, f := range []struct{ env, what string }{
		{"GITHUB_OUTPUT", "the step's outputs"},
		{"GITHUB_STEP_SUMMARY", "the job summary"},
	} {
		name := getenv(f.env)
		if name == "" {
			continue
		}
		file, err := os.OpenFile(name, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return fmt.Errorf("%s (%s) cannot be written, so the run would not report: %w; nothing was sent to GitHub", f.env, f.what, err)
		}
		if err := file.Close(); err != nil {
			return fmt.Errorf("%s (%s): %w", f.env, f.what, err)
		}
	}
	return nil
}

// maxAnnotations is how many annotations of a kind (error, warning) GitHub
// shows for a step; it drops the rest without a word.
const maxAnnotations = 10

// annotations are a run's annotations, by kind, in the order they are
// made.
type annotations struct{ errors, warnings []string }

func (n *annotations) errorf(format string, args ...any) {
	n.errors = append(n.errors, fmt.Sprintf(format, args...))
}

func (n *annotations) warningf(format string, args ...any) {
	n.warnings = append(n.warnings, fmt.Sprintf(format, args...))
}

// emit writes them: all of a kind when GitHub shows them all, else the
// first maxAnnotations-1 and one that says how many more the log and the
// job summary hold, so that none goes missing without a word.
func (n *annotations) emit(a *githubactions.Action) {
	for _, kind := range []struct {
		msgs []string
		out  func(string, ...any)
		noun string
	}{{n.errors, a.Errorf, "errors"}, {n.warnings, a.Warningf, "warnings"}} {
		shown := kind.msgs
		if len(shown) > maxAnnotations {
			shown = shown[:maxAnnotations-1]
		}
		for _, m := range shown {
			kind.out("%s", m)
		}
		if more := len(kind.msgs) - len(shown); more > 0 {
			kind.out("%d more %s, not shown as annotations (GitHub shows %d a step): the step's log lists them all", more, kind.noun, maxAnnotations)
		}
	}
}

// annotate adds to n the run's error (when the report does not already
// say it), each failed or warned rule, each stale or missing secret, each
// problem and warning, and each failing token.
func annotate(n *annotations, rep *Report, runErr error) {
	if runErr != nil {
		n.errorf("%v", runErr)
	}
	for _, rule := range rep.Policy.Rules {
		switch rule.Status {
		case policy.StatusFail:
			n.errorf("%s: %s", rule.Name, rule.Message)
		case policy.StatusWarn:
			n.warningf("%s: %s", rule.Name, rule.Message)
		}
	}
	maxAge := map[string]string{}
	for _, s := range rep.Sources {
		maxAge[s.Name] = s.MaxAge
	}
	for _, s := range rep.Secrets {
		switch s.Result {
		case rotate.AuditStale:
			why := "written longer ago than its max-age"
			if m := maxAge[s.Name]; m != "" {
				why = "older than max-age " + m
			}
			n.errorf("%s in %s is stale: %s", s.Name, s.Target, why)
		case rotate.AuditMissing:
			n.errorf("%s is missing from %s", s.Name, s.Target)
		}
	}
	for _, p := range rep.Problems {
		n.errorf("%s: %s", p.Target, p.Error)
	}
	for _, p := range rep.Warnings {
		n.warningf("%s: %s", p.Target, p.Error)
	}
	annotateTokens(n, rep)
}
