// Package state remembers, in GitHub Actions variables, what rotation wrote.
//
// Each managed secret has one variable per shard of the run that wrote it,
// in the repository that holds the plan: PAT_ACTION_STATE_<SECRET>_<I>_<N>.
// Only shard I of N writes that variable, so jobs of a matrix never write
// the same one; a reader merges them all. A variable holds, gzipped and
// base64-encoded JSON, which targets the plan wrote and which value
// generation each holds, the secret's current generation and when it was
// first stored, and for a token source a fingerprint of the token: an
// HMAC-SHA256 under a random salt, truncated to 8 bytes. Never a value.
// A state larger than GitHub's 48 KB for one variable is kept in parts
// (chunks.go). With a state key every variable is signed, and one that
// does not verify is ignored (sign.go).
package state

import (
	"bytes"
	"compress/gzip"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
)

// Prefix starts the name of every variable the state keeps.
const Prefix = "PAT_ACTION_STATE_"

// MaxValue is the most bytes GitHub lets one Actions variable hold (48 KB).
const MaxValue = 48 * 1024

// Secret is what the state knows of one managed secret.
type Secret struct {
	// Name is the secret's name, in upper case as GitHub keeps it.
	Name string `json:"name"`
	// Gen is the generation of the secret's current value: 0 before any,
	// then one more each time a new value is made (or a token changes).
	Gen int `json:"gen"`
	// Since is when the current value was first stored.
	Since time.Time `json:"since,omitzero"`
	// Salt keys Fingerprint; FP is the current token's fingerprint, for
	// token sources only.
	Salt string `json:"salt,omitempty"`
	FP   string `json:"fp,omitempty"`
	// Targets maps each target the plan wrote (its String form, such as
	// "repo:acme/api") to the generation it holds; 0 means the plan removed
	// it (prune) and no longer owns it.
	Targets map[string]int `json:"targets"`
}

// Clone returns a copy of s that shares nothing with it.
func (s Secret) Clone() Secret {
	s.Targets = maps.Clone(s.Targets)
	if s.Targets == nil {
		s.Targets = map[string]int{}
	}
	return s
}

// Held reports the generation target holds and whether the plan wrote it
// (and has not pruned it since). Targets compare case-insensitively, as
// GitHub compares names. To look up many targets, use Holdings.
func (s Secret) Held(target string) (int, bool) {
	return s.Holdings()(target)
}

// Holdings returns Held for looking up many targets: the targets' case is
// folded once, not once a lookup (a secret may have 10,000 targets).
func (s Secret) Holdings() func(target string) (int, bool) {
	var folded map[string]int
	return func(target string) (int, bool) {
		g, ok := s.Targets[target]
		if !ok {
			if folded == nil {
				folded = make(map[string]int, len(s.Targets))
				for t, tg := range s.Targets {
					folded[strings.ToLower(t)] = tg
				}
			}
			g = folded[strings.ToLower(target)]
		}
		return g, g > 0
	}
}

// Written returns the targets the plan wrote and still owns, sorted.
func (s Secret) Written() []string {
	var out []string
	for t, g := range s.Targets {
		if g > 0 {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}

// Stale returns, sorted, the targets in ts that hold a generation other
// than the current one, or that the state does not know.
func (s Secret) Stale(ts []string) []string {
	var out []string
	held := s.Holdings()
	for _, t := range ts {
		if g, _ := held(t); g != s.Gen {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}

// NewSalt returns a fresh random salt for Fingerprint.
func NewSalt() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("make a salt: %w", err)
	}
	return base64.RawStdEncoding.EncodeToString(b), nil
}

// Fingerprint is a value's fingerprint under salt: HMAC-SHA256 truncated to
// 8 bytes, hex. It tells whether a token changed; with at most 64 bits of a
// keyed hash of a token of at least 160 random bits it cannot be used to
// find the token.
func Fingerprint(salt, value string) string {
	m := hmac.New(sha256.New, []byte(salt))
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil)[:8])
}

// doc is one variable's content: one secret as one shard wrote it.
type doc struct {
	V       int       `json:"v"`
	Shard   string    `json:"shard"`
	Writer  string    `json:"writer"`
	Written time.Time `json:"written"`
	Secret
}

// encoding is the version tag that starts every value.
const encoding = "1:"

func encode(d doc) (string, error) {
	raw, err := json.Marshal(d)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if _, err := zw.Write(raw); err != nil {
		return "", err
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	return encoding + base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}

// maxDecoded bounds what a variable may inflate to, so that a hostile
// value cannot exhaust memory.
const maxDecoded = 64 << 20

func decode(v string) (doc, error) {
	var d doc
	body, ok := strings.CutPrefix(v, encoding)
	if !ok {
		return d, errors.New("not written by this version of pat-action (no \"1:\" tag)")
	}
	z, err := base64.StdEncoding.DecodeString(body)
	if err != nil {
		return d, fmt.Errorf("decode base64: %w", err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(z))
	if err != nil {
		return d, fmt.Errorf("gunzip: %w", err)
	}
	raw, err := io.ReadAll(io.LimitReader(zr, maxDecoded+1))
	if err != nil {
		return d, fmt.Errorf("gunzip: %w", err)
	}
	if len(raw) > maxDecoded {
		return d, errors.New("inflates to more than 64 MB")
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		return d, fmt.Errorf("parse: %w", err)
	}
	if d.V != 1 || d.Name == "" {
		return d, fmt.Errorf("unknown version %d or no secret name", d.V)
	}
	if d.Targets == nil {
		d.Targets = map[string]int{}
	}
	return d, nil
}

// VarName is the variable that shard ("i/n") keeps secret's state in.
func VarName(secret, shard string) string {
	return Prefix + strings.ToUpper(secret) + "_" + strings.ReplaceAll(shard, "/", "_")
}
