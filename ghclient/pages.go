package ghclient

import (
	"fmt"

	"github.com/google/go-github/v45/github"
)

// MaxPages bounds a list: 10,000 pages of 100 is a million items, more than
// any organization holds.
const MaxPages = 10_000

// EachPage reads a paginated list: it calls fetch with page 1, then with
// each page the answer's Link header names next, until there is none.
// GitHub names the page after the one read; a next page that does not
// move forward, or a list longer than MaxPages, is a broken or hostile
// server (or proxy) and an error, not an endless loop that holds every
// repeated page, and so is one that skips pages, whose items would be
// missing from the list without a word. Only the page number of a Link is
// read: its host never gets a request.
func EachPage(what string, fetch func(page int) (*github.Response, error)) error {
	for page := 1; ; page++ {
		resp, err := fetch(page)
		if err != nil {
			return err
		}
		next := resp.NextPage
		switch {
		case next == 0:
			return nil
		case next != page+1:
			return fmt.Errorf("%s: page %d names page %d as the next: a list that goes back or skips pages is not GitHub's (check api-url, or a proxy in between)", what, page, next)
		case page >= MaxPages:
			return fmt.Errorf("%s: more than %d pages: a list that long is not GitHub's (check api-url, or a proxy in between)", what, MaxPages)
		}
	}
}
