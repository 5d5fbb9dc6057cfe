package app

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pat-action/pat-action/emulator"
)

// repositories-file names are merged with repositories, from a file or
// standard input, blank lines and # comments ignored; the secret lands in
// each repository named, and nowhere else.
func TestRepositoriesFile(t *testing.T) {
	const list = "# deploy targets\nacme/web\n\n  acme/api  \n"
	// As a Windows editor saves it: a byte order mark and CRLF line ends.
	const windows = "\ufeffacme/web\r\n# deploy targets\r\nacme/api\r\n"
	tests := []struct {
		name  string
		args  []string
		stdin string
		file  string
	}{
		{"file", []string{"--repositories-file", "$FILE"}, "", list},
		{"stdin", []string{"--repositories-file", "-"}, list, list},
		{"merged with repositories", []string{"--repositories", "acme/api", "--repositories-file", "$FILE"}, "", list},
		{"byte order mark and CRLF", []string{"--repositories-file", "$FILE"}, "", windows},
		{"byte order mark and CRLF on stdin", []string{"--repositories-file", "-"}, windows, list},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, emulator.Options{}, checkTokens()...)
			file := filepath.Join(t.TempDir(), "repos")
			if err := os.WriteFile(file, []byte(tt.file), 0o600); err != nil {
				t.Fatal(err)
			}
			args := []string{"store", "--api-url", w.apiURL, "--secret-name", "PAT", "--pacing", "off"}
			for _, a := range tt.args {
				if a == "$FILE" {
					a = file
				}
				args = append(args, a)
			}
			res := run(t, args, map[string]string{"GH_TOKEN": classicTok}, tt.stdin)
			if res.code != 0 {
				t.Fatalf("exit %d\nstderr:\n%s", res.code, res.stderr)
			}
			for _, c := range []string{"repo:acme/api", "repo:acme/web"} {
				assertValue(t, w, c, "PAT", classicTok)
			}
			puts := []string{}
			for _, r := range w.emu.Requests() {
				if r.Method == "PUT" {
					puts = append(puts, r.Path)
				}
			}
			slices.Sort(puts)
			want := []string{"/repos/acme/api/actions/secrets/PAT", "/repos/acme/web/actions/secrets/PAT"}
			if diff := cmp.Diff(want, puts); diff != "" {
				t.Errorf("writes (-want +got):\n%s", diff)
			}
		})
	}
}
