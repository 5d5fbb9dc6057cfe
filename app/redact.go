package app

import (
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
)

// minRedact is the shortest value the redactor replaces: every token,
// generated value and key line is far longer, and replacing a short one
// ("1", "true") would garble the output without hiding anything.
const minRedact = 8

// redactor replaces every secret the run knows with "***". It is applied at
// the output edge, to everything written anywhere (stderr, stdout, the JSON
// report, outputs, the job summary, annotations), because error texts from
// servers and proxies may echo what was sent to them, Authorization header
// included. It is safe for concurrent use: a rotation learns values from
// many goroutines.
type redactor struct {
	mu      sync.Mutex
	secrets []string // longest first, so a secret inside another goes too
}

// add makes each line of v a secret, and v itself: a private key is
// known by its lines, since a server may echo any one of them.
func (r *redactor) add(v string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range append(strings.Split(v, "\n"), v) {
		s = strings.TrimSpace(s)
		if len(s) < minRedact || slices.Contains(r.secrets, s) {
			continue
		}
		r.secrets = append(r.secrets, s)
	}
	sort.Slice(r.secrets, func(i, j int) bool { return len(r.secrets[i]) > len(r.secrets[j]) })
}

// redact returns s with every known secret replaced by "***".
func (r *redactor) redact(s string) string {
	if r == nil {
		return s
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, secret := range r.secrets {
		if strings.Contains(s, secret) {
			s = strings.ReplaceAll(s, secret, "***")
		}
	}
	return s
}

// writer is w with every write redacted. Each write must be a whole unit
// (a line, a command, a rendered report), never a secret split in two:
// every writer of the app writes so.
func (r *redactor) writer(w io.Writer) io.Writer {
	return redactWriter{r: r, w: w}
}

type redactWriter struct {
	r *redactor
	w io.Writer
}

func (rw redactWriter) Write(p []byte) (int, error) {
	s := rw.r.redact(string(p))
	if _, err := io.WriteString(rw.w, s); err != nil {
		return 0, err
	}
	return len(p), nil
}
