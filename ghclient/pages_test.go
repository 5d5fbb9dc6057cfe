package ghclient

import (
	"strings"
	"testing"

	"github.com/google/go-github/v45/github"
)

// A list ends where its Link header stops naming a next page; one that
// loops, goes back or never ends is refused rather than read forever.
func TestEachPage(t *testing.T) {
	tests := []struct {
		name      string
		next      func(page int) int
		wantPages int
		wantErr   string
	}{
		{"one page", func(int) int { return 0 }, 1, ""},
		{"three pages", func(p int) int { return map[int]int{1: 2, 2: 3}[p] }, 3, ""},
		{"skips ahead", func(p int) int { return map[int]int{1: 5}[p] }, 2, ""},
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
