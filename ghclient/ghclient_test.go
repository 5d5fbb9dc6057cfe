package ghclient

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseAPIURL(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		ghes    bool
		wantErr string
	}{
		{"", "https://api.github.com/", false, ""},
		{"https://api.github.com", "https://api.github.com/", false, ""},
		{"https://ghe.example.com/api/v3", "https://ghe.example.com/api/v3/", true, ""},
		{"https://ghe.example.com/api/v3/", "https://ghe.example.com/api/v3/", true, ""},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080/", false, ""},
		{"http://localhost:9/api/v3", "http://localhost:9/api/v3/", true, ""},
		{"http://[::1]:9", "http://[::1]:9/", false, ""},
		{"http://ghe.example.com/api/v3", "", false, "http:// is allowed only for loopback"},
		{"ftp://api.github.com", "", false, "want an https:// URL"},
		{"api.github.com", "", false, "want an https:// URL"},
		{"https://user:pw@api.github.com", "", false, "credentials"},
		{"https://api.github.com/?x=1", "", false, "query"},
		{"https://", "", false, "missing host"},
		{"https://api.github.com:99999", "", false, "port"},
		{"https://api.github.com:0", "", false, "port"},
		{"https://api.github.com:443", "https://api.github.com:443/", false, ""},
		{"https://x:s3cret@api.github.com", "", false, "credentials"},
		{"https://api.github.com/?access_token=s3cret", "", false, "query"},
		{"https://api.github.com/#s3cret", "", false, "fragment"},
		{"https://api.github.com/?access_token=s3cret%zz", "", false, "api-url"},
		{"https://x:s3cret@api.github.com:99999", "", false, "api-url"},
		{"https://github.com", "", false, "its API is https://api.github.com"},
		{"https://www.GitHub.com/", "", false, "its API is https://api.github.com"},
		{"https://api.github.com/api/v3", "", false, "serves the API at its root: use https://api.github.com"},
		{"https://ghe.example.com/api/v3/api/v3", "", false, "repeats /api/v3: use https://ghe.example.com/api/v3"},
		{"https://ghe.example.com/api/v3/api/v3/", "", false, "repeats /api/v3"},
		{"https://octo.ghe.com", "", false, "its API is https://api.octo.ghe.com"},
		{"https://api.octo.ghe.com", "https://api.octo.ghe.com/", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			api, err := ParseAPIURL(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "s3cret") {
					t.Errorf("the error quotes the credential: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([2]any{tt.want, tt.ghes}, [2]any{api.URL.String(), api.GHES}); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// Every request carries GitHub's headers; only requests to the API host
// carry the token.
func TestTransportHeaders(t *testing.T) {
	type seen struct {
		UA, Version, Accept string
		Authorized          bool // carried exactly this token
	}
	got := make(chan seen, 2)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- seen{r.UserAgent(), r.Header.Get("X-GitHub-Api-Version"), r.Header.Get("Accept"), r.Header.Get("Authorization") == "Bearer ghp_x"}
	})
	api := httptest.NewServer(h)
	defer api.Close()
	other := httptest.NewServer(h)
	defer other.Close()
	a, err := ParseAPIURL(api.URL)
	if err != nil {
		t.Fatal(err)
	}
	c := New(a, Options{Token: "ghp_x", UserAgent: "pat-action/test"})
	for _, u := range []string{api.URL + "/user", strings.Replace(other.URL, "127.0.0.1", "localhost", 1) + "/user"} {
		req, err := c.NewRequest("GET", u, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.BareDo(context.Background(), req); err != nil {
			t.Fatal(err)
		}
	}
	want := []seen{
		{"pat-action/test", APIVersion, "application/vnd.github+json", true},
		{"pat-action/test", APIVersion, "application/vnd.github+json", false},
	}
	if diff := cmp.Diff(want, []seen{<-got, <-got}); diff != "" {
		t.Errorf("headers (-want +got):\n%s", diff)
	}
}

// The timeout bounds each try: a server slower than it fails the request.
func TestTimeoutPerTry(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	a, err := ParseAPIURL(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	// The back-off between the timed-out tries is the test's clock, not
	// real time: what is tested is that each try ends at its own deadline.
	var sl sleeps
	c := New(a, Options{Timeout: 50 * time.Millisecond, Retry: Retry{Sleep: sl.sleep}})
	req, _ := c.NewRequest("GET", "user", nil)
	if _, err := c.BareDo(context.Background(), req); err == nil || !strings.Contains(err.Error(), "no answer within 50ms") {
		t.Errorf("err = %v, want a deadline error", err)
	}
	if got, want := len(sl.got()), DefaultMaxTries-1; got != want {
		t.Errorf("%d back-offs between timed-out tries, want %d", got, want)
	}
}
