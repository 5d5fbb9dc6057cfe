package app

import (
	"fmt"
	"io"
	"os"

	"github.com/pat-action/pat-action/secrets"
)

// progress shows a long store as it runs: in a workflow, a collapsible
// group with one line per target; in a terminal, a count rewritten in
// place; otherwise nothing (the report follows either way). It never shows
// a value: a line names the target, the outcome and the cause.
type progress struct {
	w      io.Writer
	action bool // workflow commands on stdout
	tty    bool // a live count on a terminal

	verb                string // "stored", or "checked" in a dry run
	total, done, failed int
}

// newProgress picks how progress shows for this process: a nil progress
// shows nothing.
func (rt runtime) newProgress() *progress {
	switch {
	case rt.action:
		return &progress{w: rt.stdout, action: true}
	case rt.stderrTTY:
		return &progress{w: rt.stderr, tty: true}
	}
	return nil
}

// isTerminal reports whether w is a terminal (a character device), where a
// count rewritten with \r reads well.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// start begins the display for storing name into total targets.
func (p *progress) start(name string, total int, dryRun bool) {
	if p == nil {
		return
	}
	p.total, p.verb = total, "stored"
	if dryRun {
		p.verb = "checked"
	}
	if p.action {
		fmt.Fprintf(p.w, "::group::store %s\n", name)
	}
}

// result shows one finished target. The writer calls it one at a time.
func (p *progress) result(r secrets.Result) {
	if p == nil {
		return
	}
	p.done++
	if r.Outcome == secrets.Failed {
		p.failed++
	}
	switch {
	case p.action && r.Err != nil:
		fmt.Fprintf(p.w, "%-12s %s: %v\n", r.Outcome, r.Target, r.Err)
	case p.action && r.Environment != "":
		fmt.Fprintf(p.w, "%-12s %s (environment %s)\n", r.Outcome, r.Target, r.Environment)
	case p.action:
		fmt.Fprintf(p.w, "%-12s %s\n", r.Outcome, r.Target)
	case p.tty:
		fmt.Fprintf(p.w, "\r%s %d/%d (%d failed)", p.verb, p.done, p.total, p.failed)
	}
}

// finish ends the display.
func (p *progress) finish() {
	switch {
	case p == nil:
	case p.action:
		fmt.Fprintln(p.w, "::endgroup::")
	case p.tty && p.done > 0:
		fmt.Fprintln(p.w)
	}
}
