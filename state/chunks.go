package state

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/pat-action/pat-action/variables"
)

// A state too large for one variable (GitHub allows 48 KB) is split into
// parts, PAT_ACTION_STATEPART_<SECRET>_<I>_<N>_<SLOT><K>, and its own
// variable holds "c:<SLOT>:<COUNT>:<WRITER>". The parts of a write go to
// the slot (A or B) the head does not point to, and the head is written
// last: a run killed half-way leaves the previous state whole.
const partPrefix = "PAT_ACTION_STATEPART_"

// chunked is the tag that starts a head pointing at parts.
const chunked = "c:"

func partName(head, slot string, k int) string {
	return partPrefix + strings.TrimPrefix(head, Prefix) + "_" + slot + strconv.Itoa(k)
}

// head is a parsed "c:SLOT:COUNT:WRITER".
type head struct {
	slot   string
	count  int
	writer string
}

func parseHead(v string) (head, bool) {
	rest, ok := strings.CutPrefix(v, chunked)
	if !ok {
		return head{}, false
	}
	f := strings.SplitN(rest, ":", 3)
	if len(f) != 3 || (f[0] != "A" && f[0] != "B") {
		return head{}, false
	}
	n, err := strconv.Atoi(f[1])
	if err != nil || n < 1 || n > 400 {
		return head{}, false
	}
	return head{slot: f[0], count: n, writer: f[2]}, true
}

// assemble returns the value a variable stands for: itself, or the parts
// its head points to, each read with lookup. A malformed head, or a part
// missing or from another write, is an *untrusted error (unreadable): a
// write puts its parts first and its head last, so only a hand's edit
// leaves it so for longer than another run's write takes. The head is
// never quoted.
func assemble(name, v string, lookup func(string) (string, bool, error)) (string, error) {
	if !strings.HasPrefix(v, chunked) {
		return v, nil
	}
	h, ok := parseHead(v)
	if !ok {
		return "", &untrusted{why: "a malformed head of parts", unreadable: true}
	}
	var b strings.Builder
	for k := 1; k <= h.count; k++ {
		pn := partName(name, h.slot, k)
		pv, ok, err := lookup(pn)
		if err != nil {
			return "", err
		}
		piece, mine := strings.CutPrefix(pv, h.writer+":")
		if !ok || !mine {
			return "", &untrusted{why: "part " + pn + " is missing or from another write", unreadable: true}
		}
		b.WriteString(piece)
	}
	return b.String(), nil
}

// write stores val as variable name: itself when it fits, else in parts
// of the slot cur (the head's present value) does not use, then the head.
func (s *Store) write(ctx context.Context, name, val, cur string, exists bool, writer string) error {
	if len(val) <= MaxValue {
		return s.put(ctx, name, val, exists)
	}
	slot := "A"
	if h, ok := parseHead(cur); ok && h.slot == "A" {
		slot = "B"
	}
	size := MaxValue - len(writer) - 1
	n := 0
	for off := 0; off < len(val); off += size {
		n++
		piece := val[off:min(off+size, len(val))]
		pn := partName(name, slot, n)
		_, ok, err := s.raw(ctx, pn)
		if err != nil {
			return err
		}
		if err := s.put(ctx, pn, writer+":"+piece, ok); err != nil {
			return err
		}
	}
	return s.put(ctx, name, fmt.Sprintf("%s%s:%d:%s", chunked, slot, n, writer), exists)
}

// raw reads one variable's value as it is.
func (s *Store) raw(ctx context.Context, name string) (string, bool, error) {
	v, ok, err := s.rawAt(ctx, name)
	return v.Value, ok, err
}

// rawAt reads one variable as it is, with when GitHub last changed it.
func (s *Store) rawAt(ctx context.Context, name string) (variables.Variable, bool, error) {
	v, ok, err := variables.Get(ctx, s.c, s.base(), name)
	if err != nil {
		return v, false, fmt.Errorf("read state variable %s of %s: %w", name, s.Repository(), err)
	}
	return v, ok, nil
}
