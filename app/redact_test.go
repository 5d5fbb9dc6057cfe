package app

import (
	"bytes"
	"testing"
)

func TestRedactor(t *testing.T) {
	r := &redactor{}
	r.add("ghp_short")                  // 9 bytes: long enough
	r.add("ghp_short_and_longer_value") // contains the first: longest goes first
	r.add("tiny")                       // too short to be a secret: left alone
	r.add("-----BEGIN KEY-----\nAAAABBBBCCCCDDDD\nEEEEFFFFGGGGHHHH\n-----END KEY-----\n")
	tests := []struct{ in, want string }{
		{"Authorization: token ghp_short_and_longer_value;", "Authorization: token ***;"},
		{"a ghp_short b", "a *** b"},
		{"tiny stays", "tiny stays"},
		{"echo: EEEEFFFFGGGGHHHH", "echo: ***"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := r.redact(tt.in); got != tt.want {
			// The inputs are test values, not secrets of a run.
			t.Errorf("redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	var b bytes.Buffer
	w := r.writer(&b)
	if n, err := w.Write([]byte("x ghp_short\n")); err != nil || n != len("x ghp_short\n") {
		t.Errorf("Write = %d, %v; want the input's length and no error", n, err)
	}
	if b.String() != "x ***\n" {
		t.Errorf("written %q, want %q", b.String(), "x ***\n")
	}
	var nilR *redactor
	if nilR.redact("ghp_short") != "ghp_short" {
		t.Error("a nil redactor changes text")
	}
}
