package emulator

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// rotation is the state the rotation feature's operations keep. It is
// guarded by Server.mu.
type rotation struct {
	keys   map[string][]*DeployKey // by lower-case repository full name
	issues map[string][]*Issue     // by lower-case repository full name
	apps   map[int64]*App
	insts  map[int64]*Installation
	minted int
}

// rotateRoutes registers the operations plan rotation uses: listing an
// organization's repositories, deploy keys, reminder issues and GitHub App
// installation tokens.
func (s *Server) rotateRoutes() {
	s.rot = rotation{
		keys:   map[string][]*DeployKey{},
		issues: map[string][]*Issue{},
		apps:   map[int64]*App{},
		insts:  map[int64]*Installation{},
	}
	s.handle("GET /orgs/{org}/repos", s.listOrgRepos)
	s.handle("GET /repos/{owner}/{repo}/topics", s.getTopics)
	s.deployKeyRoutes()
	s.issueRoutes()
	s.appRoutes()
}

// AddRepos registers n repositories of organization org (and org itself),
// repository i being f(i) with its Owner set to org; a nil f, or an empty
// Name, names it "repo-%03d". Ids are given in order, so i is also the
// creation order. It returns the ids.
func (s *Server) AddRepos(org string, n int, f func(i int) Repo) []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.orgs[strings.ToLower(org)] = true
	ids := make([]int64, n)
	for i := range n {
		var r Repo
		if f != nil {
			r = f(i)
		}
		r.Owner = org
		if r.Name == "" {
			r.Name = fmt.Sprintf("repo-%03d", i)
		}
		if r.ID == 0 {
			s.nextID++
			r.ID = s.nextID
		}
		s.repos[strings.ToLower(r.FullName())] = &r
		ids[i] = r.ID
	}
	return ids
}

// listOrgRepos lists an organization's repositories as GitHub does: public
// ones to anyone, private ones to a classic token with repo and to a
// scopeless token granted them; sorted by sort (created, the default, as
// creation order is id order; updated and pushed likewise; full_name) in
// direction (asc for full_name, else desc, by default); paginated.
func (s *Server) listOrgRepos(w http.ResponseWriter, r *http.Request) {
	org := r.PathValue("org")
	s.mu.Lock()
	known := s.orgs[strings.ToLower(org)]
	var all []*Repo
	for _, rp := range s.repos {
		if strings.EqualFold(rp.Owner, org) {
			c := *rp
			all = append(all, &c)
		}
	}
	s.mu.Unlock()
	if !known {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	tok := tokenOf(r)
	q := r.URL.Query()
	typ := q.Get("type")
	var out []*Repo
	for _, rp := range all {
		switch {
		case typ == "public" && rp.Private, typ == "private" && !rp.Private:
			continue
		case rp.Private && !seesPrivate(tok, rp.FullName()):
			continue
		}
		out = append(out, rp)
	}
	byName := q.Get("sort") == "full_name"
	desc := !byName
	switch q.Get("direction") {
	case "asc":
		desc = false
	case "desc":
		desc = true
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if desc {
			a, b = b, a
		}
		if byName {
			return strings.ToLower(a.Name) < strings.ToLower(b.Name)
		}
		return a.ID < b.ID
	})
	lo, hi := s.listPage(w, r, len(out))
	items := make([]map[string]any, 0, hi-lo)
	for _, rp := range out[lo:hi] {
		items = append(items, repoJSON(rp))
	}
	writeJSON(w, http.StatusOK, items)
}

// seesPrivate reports whether tok may see private repository full.
func seesPrivate(tok *Token, full string) bool {
	switch {
	case tok == nil:
		return false
	case tok.HasScopes():
		for _, sc := range tok.Scopes {
			if sc == "repo" {
				return true
			}
		}
		return false
	default:
		return tok.reaches(full)
	}
}

func (s *Server) getTopics(w http.ResponseWriter, r *http.Request) {
	rp := s.repo(w, r)
	if rp == nil || !s.authorize(w, r, access{perm: "metadata=read", repo: rp.FullName()}) {
		return
	}
	names := rp.Topics
	if names == nil {
		names = []string{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"names": names})
}
