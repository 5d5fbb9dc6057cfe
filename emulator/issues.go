package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Issue is an issue of one repository.
type Issue struct {
	ID     int64
	Number int
	// Author is the login of the token that opened it.
	Author string
	// Bot is true when an App's installation token opened it: GitHub
	// then says the author's type is "Bot" (a person's is "User").
	Bot       bool
	Title     string
	Body      string
	State     string // "open" or "closed"
	Labels    []string
	Comments  []string
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (s *Server) issueRoutes() {
	s.handle("GET /repos/{owner}/{repo}/issues", s.listIssues)
	s.handle("POST /repos/{owner}/{repo}/issues", s.createIssue)
	s.handle("GET /repos/{owner}/{repo}/issues/{issue_number}", s.getIssue)
	s.handle("PATCH /repos/{owner}/{repo}/issues/{issue_number}", s.updateIssue)
	s.handle("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", s.createIssueComment)
}

// Issues returns the issues of repository full ("owner/repo"), by number.
func (s *Server) Issues(full string) []Issue {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Issue
	for _, is := range s.rot.issues[strings.ToLower(full)] {
		out = append(out, copyIssue(is))
	}
	return out
}

// AddIssue adds an issue to repository full ("owner/repo") as if its
// Author had opened it at is.CreatedAt (the emulator's clock when zero),
// for tests to place issues the product did not open. It gives the issue
// its id and number, which it returns; an empty State is "open".
func (s *Server) AddIssue(full string, is Issue) int {
	if is.CreatedAt.IsZero() {
		is.CreatedAt = s.opts.Now()
	}
	if is.UpdatedAt.IsZero() {
		is.UpdatedAt = is.CreatedAt
	}
	if is.State == "" {
		is.State = "open"
	}
	c := copyIssue(&is)
	s.mu.Lock()
	defer s.mu.Unlock()
	key := strings.ToLower(full)
	s.nextID++
	c.ID = s.nextID
	c.Number = len(s.rot.issues[key]) + 1
	s.rot.issues[key] = append(s.rot.issues[key], &c)
	return c.Number
}

func copyIssue(is *Issue) Issue {
	c := *is
	c.Labels = slices.Clone(is.Labels)
	c.Comments = slices.Clone(is.Comments)
	return c
}

// issueAccess is what issues need: reading a public repository's issues
// takes any token, writing them public_repo; a private repository's take
// repo. Fine-grained tokens need the Issues permission.
func issueAccess(rp *Repo, level string) access {
	a := access{perm: "issues=" + level, repo: rp.FullName()}
	switch {
	case rp.Private:
		a.scopes = []string{"repo"}
	case level == "write":
		a.scopes = []string{"repo", "public_repo"}
	}
	return a
}

func issueJSON(rp *Repo, is *Issue) map[string]any {
	labels := make([]map[string]any, 0, len(is.Labels))
	for _, l := range is.Labels {
		labels = append(labels, map[string]any{"name": l})
	}
	return map[string]any{
		"id":         is.ID,
		"number":     is.Number,
		"title":      is.Title,
		"body":       is.Body,
		"state":      is.State,
		"labels":     labels,
		"user":       map[string]any{"login": is.Author, "type": userType(is.Bot)},
		"comments":   len(is.Comments),
		"html_url":   fmt.Sprintf("https://github.com/%s/issues/%d", rp.FullName(), is.Number),
		"created_at": is.CreatedAt.UTC().Format(time.RFC3339),
		"updated_at": is.UpdatedAt.UTC().Format(time.RFC3339),
	}
}

func userType(bot bool) string {
	if bot {
		return "Bot"
	}
	return "User"
}

// listIssues filters by state (open by default, closed, all), creator and
// labels (comma-separated, all must be present), newest first, paginated.
func (s *Server) listIssues(w http.ResponseWriter, r *http.Request) {
	rp := s.repo(w, r)
	if rp == nil || !s.authorize(w, r, issueAccess(rp, "read")) {
		return
	}
	q := r.URL.Query()
	state := q.Get("state")
	switch state {
	case "":
		state = "open"
	case "open", "closed", "all":
	default:
		invalidField(w, "Issue", "state", "invalid", "")
		return
	}
	var labels []string
	if l := q.Get("labels"); l != "" {
		for _, name := range strings.Split(l, ",") {
			labels = append(labels, strings.TrimSpace(name))
		}
	}
	creator := q.Get("creator")
	s.mu.Lock()
	var out []Issue
	all := s.rot.issues[strings.ToLower(rp.FullName())]
	for i := len(all) - 1; i >= 0; i-- {
		is := all[i]
		if (state != "all" && is.State != state) ||
			(creator != "" && !strings.EqualFold(creator, is.Author)) ||
			!hasLabels(is.Labels, labels) {
			continue
		}
		out = append(out, copyIssue(is))
	}
	s.mu.Unlock()
	lo, hi := s.listPage(w, r, len(out))
	items := make([]map[string]any, 0, hi-lo)
	for i := lo; i < hi; i++ {
		items = append(items, issueJSON(rp, &out[i]))
	}
	writeJSON(w, http.StatusOK, items)
}

// hasLabels reports whether have includes every label of want, ignoring case.
func hasLabels(have, want []string) bool {
	for _, w := range want {
		if !slices.ContainsFunc(have, func(h string) bool { return strings.EqualFold(h, w) }) {
			return false
		}
	}
	return true
}

type issueBody struct {
	Title  *string   `json:"title"`
	Body   *string   `json:"body"`
	State  *string   `json:"state"`
	Labels *[]string `json:"labels"`
}

// issueWrite is the start of every request that writes issues: the
// repository, the access it needs, and the JSON body decoded into body. It
// writes the refusal and returns nil when the request goes no further.
func (s *Server) issueWrite(w http.ResponseWriter, r *http.Request, body any) *Repo {
	rp := s.repo(w, r)
	if rp == nil || !s.authorize(w, r, issueAccess(rp, "write")) {
		return nil
	}
	if err := json.NewDecoder(r.Body).Decode(body); err != nil {
		writeError(w, http.StatusBadRequest, "Problems parsing JSON")
		return nil
	}
	return rp
}

func (s *Server) createIssue(w http.ResponseWriter, r *http.Request) {
	var body issueBody
	rp := s.issueWrite(w, r, &body)
	if rp == nil {
		return
	}
	if body.Title == nil || *body.Title == "" {
		invalidField(w, "Issue", "title", "missing_field", "")
		return
	}
	now := s.opts.Now()
	tok := tokenOf(r)
	is := &Issue{Author: tok.Login, Bot: strings.HasPrefix(tok.Value, "ghs_"), Title: *body.Title, State: "open", CreatedAt: now, UpdatedAt: now}
	if body.Body != nil {
		is.Body = *body.Body
	}
	if body.Labels != nil {
		is.Labels = slices.Clone(*body.Labels)
	}
	s.mu.Lock()
	full := strings.ToLower(rp.FullName())
	s.nextID++
	is.ID = s.nextID
	is.Number = len(s.rot.issues[full]) + 1
	s.rot.issues[full] = append(s.rot.issues[full], is)
	js := issueJSON(rp, is)
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, js)
}

// issue finds the request's issue_number in repository full, or writes 404.
// The caller holds s.mu.
func (s *Server) issue(w http.ResponseWriter, r *http.Request, full string) *Issue {
	n, err := strconv.Atoi(r.PathValue("issue_number"))
	all := s.rot.issues[strings.ToLower(full)]
	if err != nil || n < 1 || n > len(all) {
		writeError(w, http.StatusNotFound, "Not Found")
		return nil
	}
	return all[n-1]
}

func (s *Server) getIssue(w http.ResponseWriter, r *http.Request) {
	rp := s.repo(w, r)
	if rp == nil || !s.authorize(w, r, issueAccess(rp, "read")) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if is := s.issue(w, r, rp.FullName()); is != nil {
		writeJSON(w, http.StatusOK, issueJSON(rp, is))
	}
}

func (s *Server) updateIssue(w http.ResponseWriter, r *http.Request) {
	var body issueBody
	rp := s.issueWrite(w, r, &body)
	if rp == nil {
		return
	}
	if body.State != nil && *body.State != "open" && *body.State != "closed" {
		invalidField(w, "Issue", "state", "invalid", "")
		return
	}
	if body.Title != nil && *body.Title == "" {
		invalidField(w, "Issue", "title", "missing_field", "")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	is := s.issue(w, r, rp.FullName())
	if is == nil {
		return
	}
	if body.Title != nil {
		is.Title = *body.Title
	}
	if body.Body != nil {
		is.Body = *body.Body
	}
	if body.State != nil {
		is.State = *body.State
	}
	if body.Labels != nil {
		is.Labels = slices.Clone(*body.Labels)
	}
	is.UpdatedAt = s.opts.Now()
	writeJSON(w, http.StatusOK, issueJSON(rp, is))
}

func (s *Server) createIssueComment(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Body *string `json:"body"`
	}
	rp := s.issueWrite(w, r, &body)
	if rp == nil {
		return
	}
	if body.Body == nil || *body.Body == "" {
		invalidField(w, "IssueComment", "body", "missing_field", "")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	is := s.issue(w, r, rp.FullName())
	if is == nil {
		return
	}
	now := s.opts.Now()
	is.Comments = append(is.Comments, *body.Body)
	is.UpdatedAt = now
	s.nextID++
	writeJSON(w, http.StatusCreated, map[string]any{
		"id":         s.nextID,
		"body":       *body.Body,
		"user":       map[string]any{"login": tokenOf(r).Login},
		"created_at": now.UTC().Format(time.RFC3339),
	})
}
