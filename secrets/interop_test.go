package secrets

import (
	"bytes"
	"encoding/base64"
	"os"
	"os/exec"
	"strings"
	"testing"

	"golang.org/x/crypto/nacl/box"
)

// python is the interpreter that has PyNaCl once python3-nacl is installed;
// the python3 on PATH may be another one without it.
const python = "/usr/bin/python3"

// requirePyNaCl makes a missing PyNaCl a failure instead of a skip (CI sets it).
const requirePyNaCl = "PAT_ACTION_REQUIRE_PYNACL"

// needPyNaCl skips the test when PyNaCl (libsodium's Python binding) cannot
// be imported, unless PAT_ACTION_REQUIRE_PYNACL=1.
func needPyNaCl(t *testing.T) {
	t.Helper()
	out, err := exec.CommandContext(t.Context(), python, "-c", "import nacl.public").CombinedOutput()
	if err == nil {
		return
	}
	msg := "PyNaCl unavailable (" + python + " -c 'import nacl.public': " + err.Error() + ": " + strings.TrimSpace(string(out)) + "); install python3-nacl"
	if os.Getenv(requirePyNaCl) == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// runPython runs script with env added to the environment and returns its
// stdout. Values travel base64-encoded in the environment, never in argv.
func runPython(t *testing.T, script string, env ...string) string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), python, "-c", script)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("python: %v\n%s", err, stderr.String())
	}
	return strings.TrimSpace(stdout.String())
}

// interopValues are the plaintexts sent through libsodium and back: a
// token-shaped value, every byte value, and the largest value GitHub takes.
func interopValues() map[string][]byte {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	return map[string][]byte{
		"token":         []byte("ghp_" + strings.Repeat("A1b2", 9)),
		"every byte":    all,
		"largest value": bytes.Repeat([]byte("0123456789abcdef"), MaxValueSize/16),
	}
}

// TestGoSealLibsodiumOpens seals with Seal and opens with libsodium's
// crypto_box_seal_open. Python compares the plaintext itself and prints
// only "match" or "differ".
func TestGoSealLibsodiumOpens(t *testing.T) {
	needPyNaCl(t)
	pub, priv, err := box.GenerateKey(bytes.NewReader(bytes.Repeat([]byte{3}, 32)))
	if err != nil {
		t.Fatal(err)
	}
	key := PublicKey{KeyID: "42", Key: base64.StdEncoding.EncodeToString(pub[:])}
	const script = `
import base64, os
from nacl.public import PrivateKey, SealedBox
sk = PrivateKey(base64.b64decode(os.environ["PRIV"]))
plain = SealedBox(sk).decrypt(base64.b64decode(os.environ["SEALED"]))
print("match" if plain == base64.b64decode(os.environ["WANT"]) else "differ")
`
	for name, value := range interopValues() {
		t.Run(name, func(t *testing.T) {
			sealed, err := Seal(key, value)
			if err != nil {
				t.Fatalf("Seal: %v", err)
			}
			got := runPython(t, script,
				"PRIV="+base64.StdEncoding.EncodeToString(priv[:]),
				"SEALED="+sealed,
				"WANT="+base64.StdEncoding.EncodeToString(value))
			if got != "match" {
				t.Errorf("libsodium opened Go's sealed box to a different value (python said %q)", got)
			}
		})
	}
}

// TestLibsodiumSealGoOpens seals with libsodium's crypto_box_seal and opens
// with Open.
func TestLibsodiumSealGoOpens(t *testing.T) {
	needPyNaCl(t)
	pub, priv, err := box.GenerateKey(bytes.NewReader(bytes.Repeat([]byte{4}, 32)))
	if err != nil {
		t.Fatal(err)
	}
	const script = `
import base64, os
from nacl.public import PublicKey, SealedBox
pk = PublicKey(base64.b64decode(os.environ["PUB"]))
print(base64.b64encode(SealedBox(pk).encrypt(base64.b64decode(os.environ["PLAIN"]))).decode())
`
	for name, value := range interopValues() {
		t.Run(name, func(t *testing.T) {
			sealed := runPython(t, script,
				"PUB="+base64.StdEncoding.EncodeToString(pub[:]),
				"PLAIN="+base64.StdEncoding.EncodeToString(value))
			got, err := Open(sealed, pub, priv)
			if err != nil {
				t.Fatalf("Open of libsodium's sealed box: %v", err)
			}
			if !bytes.Equal(got, value) {
				t.Errorf("Open of libsodium's sealed box gave a different value")
			}
		})
	}
}
