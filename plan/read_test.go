package plan

import (
	"errors"
	"io"
	"strings"
	"testing"
)

// endless is a reader that never ends, like /dev/zero or a 200 MB file,
// and counts what was read from it.
type endless struct{ n int64 }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = '#'
	}
	e.n += int64(len(p))
	return len(p), nil
}

func TestReadRefusesALargePlanUnread(t *testing.T) {
	r := &endless{}
	_, err := Read("big.yml", r, Options{})
	var perr *Error
	if !errors.As(err, &perr) || err.Error() != "big.yml: the plan is larger than 1048576 bytes (1 MB): a plan lists secrets by name; split it into several plans" {
		t.Fatalf("Read(endless) = %v, want the plan refused for its size", err)
	}
	if r.n != MaxSize+1 {
		t.Errorf("Read took %d bytes from the reader, want %d: one past the limit, never the whole file", r.n, MaxSize+1)
	}
}

func TestReadAtTheLimit(t *testing.T) {
	text := head + "  - {name: A, source: {type: random}, targets: [{repository: acme/a}]}\n"
	text += strings.Repeat("#", MaxSize-len(text)-1) + "\n"
	p, err := Read("p.yml", strings.NewReader(text), Options{})
	if err != nil || len(p.Secrets) != 1 {
		t.Fatalf("Read(a plan of exactly MaxSize bytes) = %v, %v; want it parsed", p, err)
	}
	_, err = Read("p.yml", strings.NewReader(text+"\n"), Options{})
	if err == nil || !strings.Contains(err.Error(), "larger than 1048576 bytes") {
		t.Errorf("Read(MaxSize+1 bytes) = %v, want it refused", err)
	}
}

func TestReadError(t *testing.T) {
	want := errors.New("disk on fire")
	if _, err := Read("p.yml", io.MultiReader(strings.NewReader("version: 1\n"), &failing{want}), Options{}); !errors.Is(err, want) {
		t.Errorf("Read = %v, want the reader's error", err)
	}
}

type failing struct{ err error }

func (f *failing) Read([]byte) (int, error) { return 0, f.err }

// TestParseGHES checks that a plan for GitHub Enterprise Server refuses
// Codespaces targets, of every form, where github.com takes them.
func TestParseGHES(t *testing.T) {
	tests := []struct {
		name, targets, prefix string
	}{
		{"repository", "[{repository: acme/a, type: codespaces}]", "p.yml:5:42: secrets[0].targets[0].type: "},
		{"organization", "[{organization: acme, type: codespaces}]", "p.yml:5:42: secrets[0].targets[0].type: "},
		{"match", "[{organization: acme, match: x, type: codespaces}]", "p.yml:5:52: secrets[0].targets[0].type: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := head + "  - name: A\n    source: {type: random}\n    targets: " + tt.targets + "\n"
			if _, err := Parse("p.yml", []byte(text), Options{}); err != nil {
				t.Fatalf("Parse for github.com: %v", err)
			}
			_, err := Parse("p.yml", []byte(text), Options{GHES: true})
			want := tt.prefix + "codespaces secrets do not exist on GitHub Enterprise Server: use type actions or dependabot, or run this plan against github.com"
			if err == nil || err.Error() != want {
				t.Errorf("Parse for GHES = %v\nwant %s", err, want)
			}
		})
	}
}
