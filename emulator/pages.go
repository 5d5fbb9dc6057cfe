package emulator

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// listPage applies GitHub's pagination to a list of n items: per_page
// (default 30, at most 100) and page (from 1); a value that is not a
// positive number is ignored. It sets the Link header with first, prev,
// next and last as GitHub does, built from the request's own URL, and
// returns the slice bounds of the page.
func (s *Server) listPage(w http.ResponseWriter, r *http.Request, n int) (lo, hi int) {
	return s.sizedPage(w, r, n, 30, 100)
}

// sizedPage is listPage for a list whose pages hold def items by default
// and at most most (Actions variables: 10 and 30).
func (s *Server) sizedPage(w http.ResponseWriter, r *http.Request, n, def, most int) (lo, hi int) {
	q := r.URL.Query()
	per, err := strconv.Atoi(q.Get("per_page"))
	if err != nil || per < 1 {
		per = def
	}
	per = min(per, most)
	page, err := strconv.Atoi(q.Get("page"))
	if err != nil || page < 1 {
		page = 1
	}
	last := max((n+per-1)/per, 1)
	link := func(p int, rel string) string {
		q.Set("page", strconv.Itoa(p))
		q.Set("per_page", strconv.Itoa(per))
		return fmt.Sprintf("<%s?%s>; rel=%q", s.apiURL(r, r.URL.EscapedPath()), q.Encode(), rel)
	}
	var links []string
	if page > 1 {
		links = append(links, link(min(page-1, last), "prev"))
	}
	if page < last {
		links = append(links, link(page+1, "next"), link(last, "last"))
	}
	if page > 1 {
		links = append(links, link(1, "first"))
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
	lo = min((page-1)*per, n)
	hi = min(lo+per, n)
	return lo, hi
}
