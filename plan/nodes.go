package plan

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/pat-action/pat-action/internal/suggest"
)

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

// describe says what a node is, for "got ..." in messages. Plans hold
// names, never secret values, so quoting a scalar is safe.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "an empty value"
		case "!!str":
			return strconv.Quote(n.Value)
		case "!!int", "!!float":
			return "the number " + n.Value
		case "!!bool":
			return n.Value
		}
		return n.ShortTag() + " " + strconv.Quote(n.Value)
	}
	return "a document"
}

// entry is one key of a mapping and its value.
type entry struct{ key, val *yaml.Node }

// mapping checks that n is a mapping whose keys are all in known and
// returns its entries by key. Unknown keys are reported with the nearest
// known key; misplaced explains keys known elsewhere ("bytes does not apply
// to type token"). It returns nil if n is not a mapping.
func (p *parser) mapping(n *yaml.Node, path, what string, known []string, misplaced func(key string) string) map[string]entry {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, path, "want %s (a mapping of keys: %s), got %s", what, strings.Join(known, ", "), describe(n))
		return nil
	}
	m := make(map[string]entry, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := p.deref(n.Content[i])
		v := p.deref(n.Content[i+1])
		if k == nil || v == nil {
			return m
		}
		if k.Kind != yaml.ScalarNode {
			p.errorf(k, path, "want a plain key in %s, got %s", what, describe(k))
			continue
		}
		key := k.Value
		if key == "<<" {
			p.errorf(k, path, "merge keys (<<) are not supported: use the plan's defaults: section, or repeat the keys")
			p.cover(n, "*")
			continue
		}
		if prev, ok := m[key]; ok {
			p.errorf(k, join(path, key), "key %q appears twice in %s (lines %d and %d): keep one", key, what, prev.key.Line, k.Line)
			continue
		}
		if !slices.Contains(known, key) {
			msg := ""
			if misplaced != nil {
				msg = misplaced(key)
			}
			if msg == "" {
				msg = fmt.Sprintf("unknown key %q in %s", key, what)
				if s := suggest.Nearest(key, known); s != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", s)
					p.cover(n, s)
				} else {
					msg += "; known keys: " + strings.Join(known, ", ")
				}
			}
			p.errorf(k, join(path, key), "%s", msg)
			continue
		}
		m[key] = entry{k, v}
	}
	return m
}

// required reports a missing key of mapping n, saying what would be right.
func (p *parser) required(m map[string]entry, n *yaml.Node, path, key, hint string) (entry, bool) {
	e, ok := m[key]
	if !ok && !p.isCovered(n, key) {
		p.errorf(n, join(path, key), "missing: %s", hint)
	}
	return e, ok
}

// str reads a non-empty string; hint says what is wanted.
func (p *parser) str(n *yaml.Node, path, hint string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		p.errorf(n, path, "want %s, got %s", hint, describe(n))
		return "", false
	}
	if n.Value == "" {
		p.errorf(n, path, "empty: want %s", hint)
		return "", false
	}
	return n.Value, true
}

// int reads an integer, as YAML writes them (0x1F, 1_000).
func (p *parser) int(n *yaml.Node, path, hint string) (int64, bool) {
	var v int64
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&v) != nil {
		p.errorf(n, path, "want %s, got %s", hint, describe(n))
		return 0, false
	}
	return v, true
}

// bool reads true or false; YAML 1.1 spellings such as yes are strings.
func (p *parser) bool(n *yaml.Node, path string) (bool, bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
		p.errorf(n, path, "want true or false, got %s", describe(n))
		return false, false
	}
	var v bool
	if err := n.Decode(&v); err != nil {
		p.errorf(n, path, "want true or false, got %s", describe(n))
		return false, false
	}
	return v, true
}

// duration reads a plan duration such as "90d".
func (p *parser) duration(n *yaml.Node, path string) (time.Duration, bool) {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!int" {
		p.errorf(n, path, "the number %s has no unit: write \"%sd\" for days (units: w, d, h, m)", n.Value, n.Value)
		return 0, false
	}
	s, ok := p.str(n, path, `a duration such as "90d" or "1d12h"`)
	if !ok {
		return 0, false
	}
	d, err := ParseDuration(s)
	if err != nil {
		p.errorf(n, path, "%v", err)
		return 0, false
	}
	return d, true
}

// seq checks that n is a list and returns its items, aliases followed.
func (p *parser) seq(n *yaml.Node, path, hint string) ([]*yaml.Node, bool) {
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, path, "want %s, got %s", hint, describe(n))
		return nil, false
	}
	items := make([]*yaml.Node, 0, len(n.Content))
	for _, it := range n.Content {
		it = p.deref(it)
		if it == nil {
			return nil, false
		}
		items = append(items, it)
	}
	return items, true
}

// strList reads a list of strings. With commas, a single string
// "repo, workflow" (commas or newlines between items) is accepted too.
// Each item is checked with check, which returns a problem or "".
func (p *parser) strList(n *yaml.Node, path, hint string, commas bool, check func(string) string) ([]string, bool) {
	var out []string
	ok := true
	add := func(n *yaml.Node, path, s string) {
		if msg := check(s); msg != "" {
			p.errorf(n, path, "%s", msg)
			ok = false
			return
		}
		out = append(out, s)
	}
	if commas && n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" {
		for _, s := range strings.FieldsFunc(n.Value, func(r rune) bool { return r == ',' || r == '\n' }) {
			if s = strings.TrimSpace(s); s != "" {
				add(n, path, s)
			}
		}
		if out == nil {
			out = []string{}
		}
		return out, ok
	}
	want := hint
	if commas {
		want += " (a list, or one string with commas between the items)"
	}
	items, isSeq := p.seq(n, path, want)
	if !isSeq {
		return nil, false
	}
	out = []string{}
	for i, it := range items {
		s, isStr := p.str(it, index(path, i), hint)
		if !isStr {
			ok = false
			continue
		}
		add(it, index(path, i), s)
	}
	return out, ok
}
