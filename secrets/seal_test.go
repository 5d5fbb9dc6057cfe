package secrets

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/curve25519"
	"golang.org/x/crypto/nacl/box"
)

// Test vectors made once with libsodium 1.0.18 through PyNaCl 1.5.0
// (/usr/bin/python3, Debian python3-nacl):
//
//	priv = sha256(b"pat-action test recipient"); sk = PrivateKey(priv)
//	sodiumSealed = SealedBox(sk.public_key).encrypt(sodiumPlain)
//	esk = sha256(b"pat-action ephemeral key"); epk = crypto_scalarmult_base(esk)
//	fixedSealed = epk + crypto_box(fixedPlain, blake2b(epk+pk, digest_size=24), pk, esk)
//
// fixedSealed is exactly what crypto_box_seal outputs when its ephemeral key
// is esk, so SealWith reading esk must produce it byte for byte.
const (
	vectorPrivHex = "ee07f0ee195467de14cf88253a0c6bc85871a6cbc64fc8e684c6ac7c9132be3a"
	vectorPubHex  = "b5f302d97fc9ed6e141312a2ba45febff7bcc2b0ccd4bb7d1652a32bc36ea30d"
	vectorPubB64  = "tfMC2X/J7W4UExKiukX+v/e8wrDM1Lt9FlKjK8Nuow0="

	sodiumPlain  = "pat-action libsodium sealed box vector"
	sodiumSealed = "vFLTJmphAYJxE6+TZNJGrBu+l4/rA7yuJ5tAUvQR+iwxo5paESW1Gnf/CQk3OCLO/+IDP6YE9nIcGjCQkSATdKdLatQTrGiEv4O2Pimo3HvefVWLvkI="

	fixedEphemeralHex = "7523f7dd6421138c175f59e80c7fc3165817bcd4cf74e95fca847e81b24d4d59"
	fixedPlain        = "pat-action deterministic vector"
	fixedSealed       = "lHBzeWldTwFcXvmaRySsLFIYVDCnB405NXhetwx0KDd9qfRiugwVAlV5/NfYj/UWQ74BUfdKKukupu7iw5Laih1v9cmwl9xjA6a3D8F1xQ=="
)

// vectorKeys returns the vector recipient's key pair.
func vectorKeys(t *testing.T) (pub, priv *[32]byte) {
	t.Helper()
	return key32(t, vectorPubHex), key32(t, vectorPrivHex)
}

func key32(t testing.TB, h string) *[32]byte {
	t.Helper()
	b, err := hex.DecodeString(h)
	if err != nil || len(b) != 32 {
		t.Fatalf("bad test key %q: %v", h, err)
	}
	var k [32]byte
	copy(k[:], b)
	return &k
}

func TestVectorKeyPair(t *testing.T) {
	pub, priv := vectorKeys(t)
	derived, err := curve25519.X25519(priv[:], curve25519.Basepoint)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(derived, pub[:]) {
		t.Errorf("public key derived by Go differs from libsodium's")
	}
	if got := base64.StdEncoding.EncodeToString(pub[:]); got != vectorPubB64 {
		t.Errorf("public key base64 = %q, want %q", got, vectorPubB64)
	}
}

func TestOpenLibsodiumVectors(t *testing.T) {
	pub, priv := vectorKeys(t)
	for _, tc := range []struct {
		name, sealed, plain string
	}{
		{"crypto_box_seal", sodiumSealed, sodiumPlain},
		{"fixed ephemeral key", fixedSealed, fixedPlain},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Open(tc.sealed, pub, priv)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if !bytes.Equal(got, []byte(tc.plain)) {
				t.Errorf("Open returned other bytes than libsodium sealed")
			}
		})
	}
}

func TestSealWithMatchesLibsodium(t *testing.T) {
	key := PublicKey{KeyID: "568250167242549743", Key: vectorPubB64}
	eph, err := hex.DecodeString(fixedEphemeralHex)
	if err != nil {
		t.Fatal(err)
	}
	got, err := SealWith(bytes.NewReader(eph), key, []byte(fixedPlain))
	if err != nil {
		t.Fatalf("SealWith: %v", err)
	}
	if got != fixedSealed {
		t.Errorf("SealWith with a fixed ephemeral key differs from libsodium's crypto_box_seal")
	}
	pub, priv := vectorKeys(t)
	plain, err := Open(got, pub, priv)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if !bytes.Equal(plain, []byte(fixedPlain)) {
		t.Errorf("Open(SealWith(...)) did not give back the plaintext")
	}
}

func TestSealRoundTrip(t *testing.T) {
	pub, priv, err := box.GenerateKey(bytes.NewReader(bytes.Repeat([]byte{7}, 32)))
	if err != nil {
		t.Fatal(err)
	}
	key := PublicKey{KeyID: "1", Key: base64.StdEncoding.EncodeToString(pub[:])}
	for _, tc := range []struct {
		name  string
		plain []byte
	}{
		{"token", []byte("ghp_0123456789abcdefghijklmnopqrstuvwxyz")},
		{"one byte", []byte{0}},
		{"largest value", bytes.Repeat([]byte{'x'}, MaxValueSize)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := Seal(key, tc.plain)
			if err != nil {
				t.Fatalf("Seal: %v", err)
			}
			b, err := Seal(key, tc.plain)
			if err != nil {
				t.Fatalf("Seal: %v", err)
			}
			if a == b {
				t.Errorf("two Seals of the same value are equal: the ephemeral key is not fresh")
			}
			raw, err := base64.StdEncoding.DecodeString(a)
			if err != nil {
				t.Fatalf("Seal output is not standard base64: %v", err)
			}
			if want := len(tc.plain) + box.AnonymousOverhead; len(raw) != want {
				t.Errorf("sealed length = %d, want %d", len(raw), want)
			}
			got, err := Open(a, pub, priv)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if !bytes.Equal(got, tc.plain) {
				t.Errorf("Open(Seal(value)) did not give back the value")
			}
		})
	}
}

func TestSealBadKey(t *testing.T) {
	for _, tc := range []struct {
		name string
		key  PublicKey
		want string
	}{
		{"no key id", PublicKey{Key: vectorPubB64}, "public key has no key_id"},
		{"not base64", PublicKey{KeyID: "k1", Key: "not base64!"}, "public key k1: not standard base64"},
		{"31 bytes", PublicKey{KeyID: "k2", Key: base64.StdEncoding.EncodeToString(make([]byte, 31))}, "public key k2: 31 bytes, want 32"},
		{"33 bytes", PublicKey{KeyID: "k3", Key: base64.StdEncoding.EncodeToString(make([]byte, 33))}, "public key k3: 33 bytes, want 32"},
		{"empty", PublicKey{KeyID: "k4"}, "public key k4: 0 bytes, want 32"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const value = "ghp_SECRETVALUEdonotleak"
			got, err := Seal(tc.key, []byte(value))
			if err == nil {
				t.Fatalf("Seal succeeded with a bad key")
			}
			if got != "" {
				t.Errorf("Seal returned output with an error")
			}
			if !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("error = %q, want prefix %q", err, tc.want)
			}
			if strings.Contains(err.Error(), value) {
				t.Errorf("error contains the secret value")
			}
		})
	}
}

func TestOpenFailures(t *testing.T) {
	pub, priv := vectorKeys(t)
	otherPub, otherPriv, err := box.GenerateKey(bytes.NewReader(bytes.Repeat([]byte{9}, 32)))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(sodiumSealed)
	flipped := bytes.Clone(raw)
	flipped[len(flipped)-1] ^= 1
	for _, tc := range []struct {
		name      string
		sealed    string
		pub, priv *[32]byte
		want      string
	}{
		{"not base64", "%%%", pub, priv, "open sealed box: not standard base64"},
		{"too short", base64.StdEncoding.EncodeToString(raw[:47]), pub, priv, "open sealed box: 47 bytes, shorter than the 48-byte overhead"},
		{"other key pair", sodiumSealed, otherPub, otherPriv, "open sealed box: not sealed for this key pair, or corrupted"},
		{"corrupted", base64.StdEncoding.EncodeToString(flipped), pub, priv, "open sealed box: not sealed for this key pair, or corrupted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Open(tc.sealed, tc.pub, tc.priv)
			if err == nil {
				t.Fatalf("Open succeeded")
			}
			if got != nil {
				t.Errorf("Open returned bytes with an error")
			}
			if !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("error = %q, want prefix %q", err, tc.want)
			}
		})
	}
}

func TestPublicKeyUnmarshalJSON(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     PublicKey
		wantErr  string
	}{
		{"string id", `{"key_id":"012345678912345678","key":"2Sg8iYjAxxmI2LvUXpJjkYrMxURPc8r+dB7TJyvv1234"}`,
			PublicKey{KeyID: "012345678912345678", Key: "2Sg8iYjAxxmI2LvUXpJjkYrMxURPc8r+dB7TJyvv1234"}, ""},
		{"number id", `{"key_id": 568250167242549743, "key": "abc="}`, PublicKey{KeyID: "568250167242549743", Key: "abc="}, ""},
		{"number id beyond float64", `{"key_id":12345678901234567890123,"key":"k"}`, PublicKey{KeyID: "12345678901234567890123", Key: "k"}, ""},
		{"null id", `{"key_id":null,"key":"k"}`, PublicKey{Key: "k"}, ""},
		{"no id", `{"key":"k"}`, PublicKey{Key: "k"}, ""},
		{"extra fields", `{"key_id":"1","key":"k","url":"https://x"}`, PublicKey{KeyID: "1", Key: "k"}, ""},
		{"bool id", `{"key_id":true,"key":"k"}`, PublicKey{}, "decode public key: key_id is true, want a string or a number"},
		{"object id", `{"key_id":{},"key":"k"}`, PublicKey{}, "decode public key: key_id is {}, want a string or a number"},
		{"key not a string", `{"key_id":"1","key":5}`, PublicKey{}, "decode public key: json: cannot unmarshal"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got PublicKey
			err := json.Unmarshal([]byte(tc.in), &got)
			if tc.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want prefix %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Unmarshal: %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("PublicKey mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPublicKeyMarshalsIDAsString(t *testing.T) {
	var k PublicKey
	if err := json.Unmarshal([]byte(`{"key_id":42,"key":"k"}`), &k); err != nil {
		t.Fatal(err)
	}
	got, err := json.Marshal(k)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"key_id":"42","key":"k"}`; string(got) != want {
		t.Errorf("Marshal = %s, want %s", got, want)
	}
}

func FuzzOpen(f *testing.F) {
	f.Add(sodiumSealed)
	f.Add(fixedSealed)
	f.Add("")
	f.Add("AAAA")
	pub, priv := key32(f, vectorPubHex), key32(f, vectorPrivHex)
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Open(s, pub, priv)
		if err != nil && got != nil {
			t.Errorf("Open returned bytes with an error")
		}
	})
}
