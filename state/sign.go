package state

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
)

// A state key, kept as an Actions secret and given to the run, signs every
// variable the state writes: "s1:<MAC>:<value>", where the value is the
// unsigned encoding ("1:...") and the MAC is HMAC-SHA256 under the key
// over the repository, the variable's own name and the value. Anyone who
// can write the repository's variables can still write one, but not sign
// it: a run with the key ignores what it cannot verify, and since where it
// lives is signed, an entry copied into another secret's (or shard's)
// variable, or from another plan's repository that shares the key, fails
// too. A run without a key reads a signed value as an unsigned one.

// MinKey is the fewest bytes a state key may have: 256 bits, the size of
// HMAC-SHA256's output, if every byte were random.
const MinKey = 32

// MaxKey is the most bytes a state key may have.
const MaxKey = 1024

// signedTag starts a signed value.
const signedTag = "s1:"

// untrusted is the error of a variable a run with a key cannot verify, or
// that no run can read.
type untrusted struct {
	why        string
	unreadable bool // not what a run writes, key or no key
	replayed   bool // signed, but put back long after it was written
}

func (e *untrusted) Error() string {
	switch {
	case e.unreadable:
		return "cannot be read (" + e.why + ")"
	case e.replayed:
		return "was put back (" + e.why + ")"
	}
	return "is not signed by the state key (" + e.why + ")"
}

// asUntrusted returns err's *untrusted when it is a variable's that the
// key did not verify or that could not be read.
func asUntrusted(err error) (*untrusted, bool) {
	var u *untrusted
	ok := errors.As(err, &u)
	return u, ok
}

// mac is the MAC of variable name of repository ("owner/repo") holding
// value under key. Names compare case-insensitively on GitHub: both are
// upper-cased.
func mac(key []byte, repository, name, value string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("pat-action rotation state\x00"))
	m.Write([]byte(strings.ToUpper(repository)))
	m.Write([]byte{0})
	m.Write([]byte(strings.ToUpper(name)))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return m.Sum(nil)
}

// sign returns value as variable name holds it under key: signed, or as it
// is without a key.
func sign(key []byte, repository, name, value string) string {
	if key == nil {
		return value
	}
	return signedTag + base64.RawURLEncoding.EncodeToString(mac(key, repository, name, value)) + ":" + value
}

// verify returns the unsigned value variable name's v stands for. Without a
// key a signature is dropped unread; with one, a value whose signature is
// missing or wrong is an *untrusted error. The MACs compare in
// constant time.
func verify(key []byte, repository, name, v string) (string, error) {
	rest, signed := strings.CutPrefix(v, signedTag)
	var sum []byte
	if signed {
		enc, value, ok := strings.Cut(rest, ":")
		got, err := base64.RawURLEncoding.DecodeString(enc)
		if !ok || err != nil {
			return "", &untrusted{why: "a malformed signature", unreadable: key == nil}
		}
		sum, v = got, value
	}
	if key == nil {
		return v, nil
	}
	if !signed {
		return "", &untrusted{why: "no signature"}
	}
	if !hmac.Equal(sum, mac(key, repository, name, v)) {
		return "", &untrusted{why: "its signature does not match: made with another key, copied from another variable or repository, or edited"}
	}
	return v, nil
}
