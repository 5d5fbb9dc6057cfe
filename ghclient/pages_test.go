package ghclient

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/google/go-github/v45/github"
)

// A list ends where its Link header stops naming a next page; one that
// loops, goes back or never ends is refused rather than read forever, and
// one that skips pages is refused rather than read short without a word.
func TestEachPage(t *testing.T) {
	tests := []struct {
		name      string
		next      func(page int) int
		wantPages int
		wantErr   string
	}{
		{"one page", func(int) int { return 0 }, 1, ""},
		{"three pages", func(p int) int { return map[int]int{1: 2, 2: 3}[p] }, 3, ""},
		{"skips ahead", func(p int) int { return map[int]int{1: 5}[p] }, 1, "page 1 names page 5 as the next"},
		{"leaps to page 999999999", func(p int) int { return map[int]int{1: 2, 2: 999999999}[p] }, 2, "page 2 names page 999999999 as the next"},
		{"names itself", func(p int) int { return p }, 1, "page 1 names page 1 as the next"},
		{"goes back", func(p int) int { return map[int]int{1: 2, 2: 3, 3: 1}[p] }, 3, "page 3 names page 1"},
		{"never ends", func(p int) int { return p + 1 }, MaxPages, "more than 10000 pages"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pages := 0
			err := EachPage("list things", func(page int) (*github.Response, error) {
				pages++
				return &github.Response{NextPage: tt.next(page)}, nil
			})
			if pages != tt.wantPages {
				t.Errorf("fetched %d pages, want %d", pages, tt.wantPages)
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("err = %v, want none", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.HasPrefix(err.Error(), "list things: ")):
				t.Errorf("err = %v, want it to start with what was listed and say %q", err, tt.wantErr)
			}
		})
	}
}

// A Link header is read for its page number alone: a next page on another
// host is asked of the API host, so the token never goes there, and a
// leap far ahead, which would end the list with the pages between unread,
// is refused.
func TestLinkElsewhere(t *testing.T) {
	var evilHits atomic.Int32
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		evilHits.Add(1)
		io.WriteString(w, `[]`)
	}))
	defer evil.Close()
	evilURL := strings.Replace(evil.URL, "127.0.0.1", "localhost", 1)
	var mu sync.Mutex
	var pages []string
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		pages = append(pages, r.URL.Query().Get("page"))
		mu.Unlock()
		if r.Header.Get("Authorization") != "Bearer ghp_x" {
			t.Errorf("page %s came without the token", r.URL.Query().Get("page"))
		}
		switch r.URL.Query().Get("page") {
		case "1":
			w.Header().Set("Link", fmt.Sprintf(`<%s/repos/acme/api/keys?page=2>; rel="next"`, evilURL))
		case "2":
			w.Header().Set("Link", fmt.Sprintf(`<%s/repos/acme/api/keys?page=999999999>; rel="next"`, evilURL))
		}
		io.WriteString(w, `[{"id":1}]`)
	}))
	defer api.Close()
	a, err := ParseAPIURL(api.URL)
	if err != nil {
		t.Fatal(err)
	}
	c := New(a, Options{Token: "ghp_x", Pacing: Pacing{Off: true}})
	err = EachPage("list deploy keys", func(page int) (*github.Response, error) {
		_, resp, err := c.Repositories.ListKeys(context.Background(), "acme", "api", &github.ListOptions{Page: page})
		return resp, err
	})
	if err == nil || !strings.Contains(err.Error(), "names page 999999999 as the next") {
		t.Errorf("err = %v, want the leap refused", err)
	}
	if diff := cmp.Diff([]string{"1", "2"}, pages); diff != "" {
		t.Errorf("pages the API host served (-want +got):\n%s", diff)
	}
	if n := evilHits.Load(); n != 0 {
		t.Errorf("the host the Link header named got %d requests, want 0", n)
	}
}
