package secrets

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

func TestValidateName(t *testing.T) {
	for _, tc := range []struct {
		name, in, wantErr string
	}{
		{"upper", "RELEASE_PAT", ""},
		{"lower", "release_pat", ""},
		{"mixed with digits", "Pat2_x9", ""},
		{"underscore first", "_PAT", ""},
		{"single letter", "P", ""},
		{"GITHUB without underscore", "GITHUBPAT", ""},
		{"GITHUB_ later in the name", "MY_GITHUB_PAT", ""},
		{"empty", "", "secret name is empty"},
		{"GITHUB_ prefix", "GITHUB_X", `secret name "GITHUB_X": must not start with GITHUB_, which GitHub reserves`},
		{"github_ prefix", "github_x", `secret name "github_x": must not start with GITHUB_, which GitHub reserves`},
		{"Github_ prefix", "Github_", `secret name "Github_": must not start with GITHUB_, which GitHub reserves`},
		{"leading digit", "1PAT", `secret name "1PAT": must not start with a digit`},
		{"hyphen", "PAT-1", `secret name "PAT-1": character '-' at position 4 is not allowed (use only letters A-Z, a-z, digits 0-9 and _)`},
		{"space", "A B", `secret name "A B": character ' ' at position 2 is not allowed (use only letters A-Z, a-z, digits 0-9 and _)`},
		{"non-ASCII letter", "ÄPFEL", `secret name "ÄPFEL": character 'Ä' at position 1 is not allowed (use only letters A-Z, a-z, digits 0-9 and _)`},
		{"dot", "A.B", `secret name "A.B": character '.' at position 2 is not allowed (use only letters A-Z, a-z, digits 0-9 and _)`},
		{"newline", "A\n", `secret name "A\n": character '\n' at position 2 is not allowed (use only letters A-Z, a-z, digits 0-9 and _)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidateName(tc.in)
			if got := errString(err); got != tc.wantErr {
				t.Errorf("ValidateName(%q) = %q, want %q", tc.in, got, tc.wantErr)
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestValidateValue(t *testing.T) {
	const secretByte = 's'
	for _, tc := range []struct {
		name    string
		size    int
		wantErr string
	}{
		{"empty", 0, "secret value is empty"},
		{"one byte", 1, ""},
		{"exactly 48 KB", 48 * 1024, ""},
		{"48 KB plus one", 48*1024 + 1, "secret value is 49153 bytes: GitHub allows at most 49152 bytes (48 KB)"},
		{"1 MB", 1 << 20, "secret value is 1048576 bytes: GitHub allows at most 49152 bytes (48 KB)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := bytes.Repeat([]byte{secretByte}, tc.size)
			err := ValidateValue(v)
			if got := errString(err); got != tc.wantErr {
				t.Errorf("ValidateValue(%d bytes) = %q, want %q", tc.size, got, tc.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), "ss") {
				t.Errorf("ValidateValue error contains the value")
			}
		})
	}
}

// nameOracle is GitHub's name rule written a second way, for the fuzzer.
var nameOracle = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func FuzzValidateName(f *testing.F) {
	for _, s := range []string{"RELEASE_PAT", "GITHUB_X", "github_x", "GitHub_", "GITHUB", "1PAT", "PAT-1", "", "A B", "_", "ÄPFEL", "A\x00", "ﬀ", "K\u212a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		err := ValidateName(name)
		want := nameOracle.MatchString(name) && !strings.HasPrefix(strings.ToUpper(name), "GITHUB_")
		if (err == nil) != want {
			t.Fatalf("ValidateName(%q) = %v, want valid=%v", name, err, want)
		}
		if err != nil && name != "" && !strings.Contains(err.Error(), "secret name ") {
			t.Errorf("ValidateName(%q) error %q does not name the secret", name, err)
		}
	})
}

func TestValidateEnvironment(t *testing.T) {
	tests := []struct {
		name, env, wantErr string
	}{
		{"plain", "production", ""},
		{"spaces and case", "Staging EU", ""},
		{"slash", "prod/eu", ""},
		{"dots inside a name", "v1.2..3", ""},
		{"255 characters", strings.Repeat("é", 255), ""},
		{"empty", "", "environment name is empty"},
		{"dot", ".", `environment name ".": "." is not allowed as a name or a part of one between slashes`},
		{"dot dot", "..", `environment name "..": ".." is not allowed as a name or a part of one between slashes`},
		{"walks up", "../../orgs/acme", `environment name "../../orgs/acme": ".." is not allowed as a name or a part of one between slashes`},
		{"walks up at the end", "prod/..", `environment name "prod/..": ".." is not allowed as a name or a part of one between slashes`},
		{"backslash walk", `prod\..`, `environment name "prod\\..": ".." is not allowed as a name or a part of one between slashes`},
		{"newline", "prod\nuction", `environment name "prod\nuction": control character '\n' at byte 5 is not allowed`},
		{"carriage return", "prod\r", `environment name "prod\r": control character '\r' at byte 5 is not allowed`},
		{"NUL", "a\x00", `environment name "a\x00": control character '\x00' at byte 2 is not allowed`},
		{"DEL", "a\x7f", `environment name "a\x7f": control character '\x7f' at byte 2 is not allowed`},
		{"line separator", "prod\u2028x", `environment name "prod\u2028x": invisible or line-breaking character '\u2028' at byte 5 is not allowed`},
		{"paragraph separator", "a\u2029", `environment name "a\u2029": invisible or line-breaking character '\u2029' at byte 2 is not allowed`},
		{"zero-width space", "pr\u200bod", `environment name "pr\u200bod": invisible or line-breaking character '\u200b' at byte 3 is not allowed`},
		{"right-to-left override", "prod\u202e", `environment name "prod\u202e": invisible or line-breaking character '\u202e' at byte 5 is not allowed`},
		{"byte order mark", "\ufeffprod", `environment name "\ufeffprod": invisible or line-breaking character '\ufeff' at byte 1 is not allowed`},
		{"not UTF-8", "a\xff", `environment name "a\xff" is not valid UTF-8`},
		{"256 characters", strings.Repeat("e", 256), "environment name is 256 characters long, the most is 255"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateEnvironment(tt.env)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.wantErr {
				t.Errorf("ValidateEnvironment(%q) = %q, want %q", tt.env, got, tt.wantErr)
			}
		})
	}
}
