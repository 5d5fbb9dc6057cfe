package emulator

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/nacl/box"

	"github.com/pat-action/pat-action/secrets"
)

// A container is one set of secrets sealed for one key pair: a repository's
// Actions secrets, an environment's, an organization's Dependabot secrets...
// It is named as secrets.Target.String() names it ("repo:acme/api",
// "env:acme/api/production", "dependabot:org:acme"), with the repository's
// and environment's names as registered.
type container struct {
	pub, priv *[32]byte
	keyID     string
	secrets   map[string]*secret // by upper-case name
}

type secret struct {
	name             string // as GitHub keeps it: upper case
	value            []byte
	created, updated time.Time
	visibility       string  // organization secrets only
	selected         []int64 // repository ids, for visibility selected
}

// secretStore holds every container, created when first used.
type secretStore struct {
	mu         sync.Mutex
	containers map[string]*container // by lower-case container name
}

// get returns the container name, creating it with a fresh key pair. The
// caller holds st.mu.
func (st *secretStore) get(name string) *container {
	if st.containers == nil {
		st.containers = map[string]*container{}
	}
	k := strings.ToLower(name)
	c := st.containers[k]
	if c == nil {
		c = &container{secrets: map[string]*secret{}}
		c.rotate()
		st.containers[k] = c
	}
	return c
}

// rotate gives c a new key pair and key_id; values sealed for the old key
// no longer open.
func (c *container) rotate() {
	pub, priv, err := box.GenerateKey(rand.Reader)
	if err != nil {
		panic(fmt.Sprintf("emulator: generate key pair: %v", err)) // crypto/rand does not fail
	}
	// GitHub's key ids are 18-digit decimal strings, such as "568250167242549743".
	n, err := rand.Int(rand.Reader, big.NewInt(9e17))
	if err != nil {
		panic(fmt.Sprintf("emulator: generate key id: %v", err))
	}
	c.pub, c.priv, c.keyID = pub, priv, strconv.FormatInt(n.Int64()+1e17, 10)
}

// family is one kind of secrets at one level, with the access GitHub asks
// for it.
type family struct {
	kind  secrets.Kind
	scope secrets.Scope
	// base is the collection's path template, before "/public-key".
	base string
	// scopes are the classic scopes that grant access.
	scopes []string
	// perm is the fine-grained permission's name; readLevel what reading
	// needs of it (GitHub asks codespaces_secrets=write even to list).
	perm, readLevel string
	// max is how many secrets one container may hold.
	max int
}

// secretRoutes registers the secrets operations: Actions secrets of
// repositories, environments and organizations, Dependabot secrets of
// repositories and organizations and, except on GHES, Codespaces secrets of
// repositories and organizations.
func (s *Server) secretRoutes() {
	fams := []family{
		{secrets.Actions, secrets.RepoScope, "/repos/{owner}/{repo}/actions/secrets", []string{"repo"}, "secrets", "read", 100},
		{secrets.Actions, secrets.EnvScope, "/repos/{owner}/{repo}/environments/{environment_name}/secrets", []string{"repo"}, "secrets", "read", 100},
		{secrets.Actions, secrets.OrgScope, "/orgs/{org}/actions/secrets", []string{"admin:org"}, "organization_secrets", "read", 1000},
		{secrets.Dependabot, secrets.RepoScope, "/repos/{owner}/{repo}/dependabot/secrets", []string{"repo"}, "dependabot_secrets", "read", 100},
		{secrets.Dependabot, secrets.OrgScope, "/orgs/{org}/dependabot/secrets", []string{"admin:org"}, "organization_dependabot_secrets", "read", 1000},
	}
	if !s.opts.GHES {
		fams = append(fams,
			family{secrets.Codespaces, secrets.RepoScope, "/repos/{owner}/{repo}/codespaces/secrets", []string{"repo"}, "codespaces_secrets", "write", 100},
			family{secrets.Codespaces, secrets.OrgScope, "/orgs/{org}/codespaces/secrets", []string{"admin:org"}, "organization_codespaces_secrets", "read", 1000},
		)
	}
	for _, f := range fams {
		s.handle("GET "+f.base+"/public-key", func(w http.ResponseWriter, r *http.Request) { s.getPublicKey(w, r, f) })
		s.handle("GET "+f.base, func(w http.ResponseWriter, r *http.Request) { s.listSecrets(w, r, f) })
		s.handle("GET "+f.base+"/{secret_name}", func(w http.ResponseWriter, r *http.Request) { s.getSecret(w, r, f) })
		s.handle("PUT "+f.base+"/{secret_name}", func(w http.ResponseWriter, r *http.Request) { s.putSecret(w, r, f) })
		s.handle("DELETE "+f.base+"/{secret_name}", func(w http.ResponseWriter, r *http.Request) { s.deleteSecret(w, r, f) })
		if f.scope == secrets.OrgScope {
			s.handle("GET "+f.base+"/{secret_name}/repositories", func(w http.ResponseWriter, r *http.Request) { s.listSelected(w, r, f) })
			s.handle("PUT "+f.base+"/{secret_name}/repositories", func(w http.ResponseWriter, r *http.Request) { s.setSelected(w, r, f) })
			s.handle("PUT "+f.base+"/{secret_name}/repositories/{repository_id}", func(w http.ResponseWriter, r *http.Request) { s.addSelected(w, r, f, true) })
			s.handle("DELETE "+f.base+"/{secret_name}/repositories/{repository_id}", func(w http.ResponseWriter, r *http.Request) { s.addSelected(w, r, f, false) })
		}
	}
}

// containerOf finds the request's container: it checks that the repository,
// environment or organization exists and that the token may read (or write)
// its secrets, writing the refusal when not.
func (s *Server) containerOf(w http.ResponseWriter, r *http.Request, f family, write bool) (string, bool) {
	level := f.readLevel
	if write {
		level = "write"
	}
	a := access{scopes: f.scopes, perm: f.perm + "=" + level}
	t := secrets.Target{Kind: f.kind, Scope: f.scope}
	switch f.scope {
	case secrets.RepoScope, secrets.EnvScope:
		rp := s.repo(w, r)
		if rp == nil {
			return "", false
		}
		a.repo = rp.FullName()
		if !s.authorize(w, r, a) {
			return "", false
		}
		t.Owner, t.Repo = rp.Owner, rp.Name
		if f.scope == secrets.EnvScope {
			env := r.PathValue("environment_name")
			for _, e := range rp.Environments {
				if strings.EqualFold(e, env) {
					t.Environment = e
				}
			}
			if t.Environment == "" {
				writeError(w, http.StatusNotFound, "Not Found")
				return "", false
			}
		}
	default:
		org := r.PathValue("org")
		if !s.hasOrg(org) {
			writeError(w, http.StatusNotFound, "Not Found")
			return "", false
		}
		if !s.authorize(w, r, a) {
			return "", false
		}
		t.Org = org
	}
	return t.String(), true
}

func (s *Server) hasOrg(org string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.orgs[strings.ToLower(org)]
}

func (s *Server) getPublicKey(w http.ResponseWriter, r *http.Request, f family) {
	name, ok := s.containerOf(w, r, f, false)
	if !ok {
		return
	}
	s.sec.mu.Lock()
	c := s.sec.get(name)
	keyID, key := c.keyID, c.pub[:]
	s.sec.mu.Unlock()
	var id any = keyID
	if s.opts.NumericKeyID {
		id = json.Number(keyID)
	}
	writeJSON(w, http.StatusOK, map[string]any{"key_id": id, "key": key})
}

// secretJSON is a secret as GitHub lists it: never its value.
func (s *Server) secretJSON(r *http.Request, f family, sc *secret) map[string]any {
	m := map[string]any{
		"name":       sc.name,
		"created_at": sc.created.UTC().Format(time.RFC3339),
		"updated_at": sc.updated.UTC().Format(time.RFC3339),
	}
	if f.scope == secrets.OrgScope {
		m["visibility"] = sc.visibility
		if sc.visibility == secrets.VisibilitySelected {
			m["selected_repositories_url"] = s.apiURL(r, "/orgs/"+url.PathEscape(r.PathValue("org"))+"/"+string(f.kind)+"/secrets/"+url.PathEscape(sc.name)+"/repositories")
		}
	}
	return m
}

// apiURL is the absolute URL of path (relative to the API base) on the
// server r reached.
func (s *Server) apiURL(r *http.Request, path string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + s.basePath() + path
}

func (s *Server) listSecrets(w http.ResponseWriter, r *http.Request, f family) {
	name, ok := s.containerOf(w, r, f, false)
	if !ok {
		return
	}
	s.sec.mu.Lock()
	c := s.sec.get(name)
	all := make([]map[string]any, 0, len(c.secrets))
	for _, sc := range sortedSecrets(c) {
		all = append(all, s.secretJSON(r, f, sc))
	}
	s.sec.mu.Unlock()
	page, ok := s.paginate(w, r, len(all))
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"total_count": len(all), "secrets": all[page.from:page.to]})
}

func sortedSecrets(c *container) []*secret {
	out := make([]*secret, 0, len(c.secrets))
	for _, sc := range c.secrets {
		out = append(out, sc)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

type pageRange struct{ from, to int }

// paginate reads per_page (default 30, at most 100) and page (from 1) as
// GitHub does, sets the Link header for a list of n items, and returns the
// page's range.
func (s *Server) paginate(w http.ResponseWriter, r *http.Request, n int) (pageRange, bool) {
	q := r.URL.Query()
	perPage, page := 30, 1
	if v := q.Get("per_page"); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil || p < 1 {
			writeError(w, http.StatusUnprocessableEntity, "Invalid request.\n\nper_page must be a positive integer.")
			return pageRange{}, false
		}
		perPage = min(p, 100)
	}
	if v := q.Get("page"); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil || p < 1 {
			writeError(w, http.StatusUnprocessableEntity, "Invalid request.\n\npage must be a positive integer.")
			return pageRange{}, false
		}
		page = p
	}
	last := max(1, (n+perPage-1)/perPage)
	link := func(p int, rel string) string {
		q := r.URL.Query()
		q.Set("per_page", strconv.Itoa(perPage))
		q.Set("page", strconv.Itoa(p))
		return "<" + s.apiURL(r, r.URL.EscapedPath()) + "?" + q.Encode() + `>; rel="` + rel + `"`
	}
	var links []string
	if page < last {
		links = append(links, link(page+1, "next"), link(last, "last"))
	}
	if page > 1 {
		links = append(links, link(1, "first"), link(min(page-1, last), "prev"))
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
	from := min((page-1)*perPage, n)
	return pageRange{from, min(from+perPage, n)}, true
}

func (s *Server) getSecret(w http.ResponseWriter, r *http.Request, f family) {
	name, ok := s.containerOf(w, r, f, false)
	if !ok {
		return
	}
	s.sec.mu.Lock()
	sc := s.sec.get(name).secrets[strings.ToUpper(r.PathValue("secret_name"))]
	var body map[string]any
	if sc != nil {
		body = s.secretJSON(r, f, sc)
	}
	s.sec.mu.Unlock()
	if body == nil {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	writeJSON(w, http.StatusOK, body)
}

// putBody is the body of a secret's PUT.
type putBody struct {
	EncryptedValue *string          `json:"encrypted_value"`
	KeyID          json.RawMessage  `json:"key_id"`
	Visibility     string           `json:"visibility"`
	SelectedIDs    *json.RawMessage `json:"selected_repository_ids"`
}

func (s *Server) putSecret(w http.ResponseWriter, r *http.Request, f family) {
	name, ok := s.containerOf(w, r, f, true)
	if !ok {
		return
	}
	secretName := r.PathValue("secret_name")
	if err := secrets.ValidateName(secretName); err != nil {
		writeError(w, http.StatusUnprocessableEntity, "Bad request - "+err.Error())
		return
	}
	var body putBody
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&body); err != nil {
		writeError(w, http.StatusBadRequest, "Problems parsing JSON")
		return
	}
	var selected []int64
	if f.scope == secrets.OrgScope {
		if _, err := secrets.ParseVisibility(body.Visibility); err != nil {
			writeError(w, http.StatusUnprocessableEntity, "Invalid request.\n\nvisibility must be one of all, private, selected.")
			return
		}
		if body.SelectedIDs != nil && body.Visibility != secrets.VisibilitySelected {
			writeError(w, http.StatusUnprocessableEntity, "Bad request - selected_repository_ids can only be given with visibility selected")
			return
		}
		if body.SelectedIDs != nil {
			var msg string
			if selected, msg = s.orgRepoIDs(r.PathValue("org"), *body.SelectedIDs); msg != "" {
				writeError(w, http.StatusUnprocessableEntity, msg)
				return
			}
		}
	}

	s.sec.mu.Lock()
	defer s.sec.mu.Unlock()
	c := s.sec.get(name)
	if rotateRequested(r.Context()) {
		c.rotate()
	}
	key := strings.ToUpper(secretName)
	sc := c.secrets[key]
	var value []byte
	switch {
	case body.EncryptedValue != nil:
		if keyIDText(body.KeyID) != c.keyID {
			writeError(w, http.StatusUnprocessableEntity, "Bad request - key_id is not the id of this repository's current public key")
			return
		}
		v, err := secrets.Open(*body.EncryptedValue, c.pub, c.priv)
		if err != nil {
			writeError(w, http.StatusUnprocessableEntity, "Bad request - encrypted_value could not be decrypted with the public key")
			return
		}
		if len(v) > secrets.MaxValueSize {
			errorf(w, http.StatusUnprocessableEntity, "Bad request - secret value is %d bytes, larger than 48 KB", len(v))
			return
		}
		value = v
	case f.scope != secrets.OrgScope || sc == nil:
		// Only an existing organization secret may change its visibility
		// without a value.
		writeError(w, http.StatusUnprocessableEntity, "Invalid request.\n\n\"encrypted_value\" wasn't supplied.")
		return
	}
	status := http.StatusNoContent
	if sc == nil {
		if len(c.secrets) >= f.max {
			errorf(w, http.StatusUnprocessableEntity, "Bad request - a %s can have at most %d secrets", scopeWord(f.scope), f.max)
			return
		}
		sc = &secret{name: key, created: s.opts.Now()}
		c.secrets[key] = sc
		status = http.StatusCreated
	}
	if value != nil {
		sc.value = value
	}
	sc.updated = s.opts.Now()
	if f.scope == secrets.OrgScope {
		sc.visibility = body.Visibility
		switch {
		case body.Visibility != secrets.VisibilitySelected:
			sc.selected = nil
		case body.SelectedIDs != nil:
			sc.selected = selected
		}
	}
	if status == http.StatusCreated {
		// GitHub's 201 carries an empty JSON object, which clients such as
		// gh decode; an empty body fails them.
		writeJSON(w, status, struct{}{})
		return
	}
	w.WriteHeader(status)
}

func scopeWord(sc secrets.Scope) string {
	switch sc {
	case secrets.EnvScope:
		return "environment"
	case secrets.OrgScope:
		return "organization"
	}
	return "repository"
}

// keyIDText reads a key_id sent as a JSON string or number.
func keyIDText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s
	}
	return string(raw)
}

// orgRepoIDs reads a list of repository ids, each of which must be a
// repository of org; it returns a 422 message when one is not.
func (s *Server) orgRepoIDs(org string, raw json.RawMessage) ([]int64, string) {
	var ids []int64
	if err := json.Unmarshal(raw, &ids); err != nil {
		return nil, "Invalid request.\n\nselected_repository_ids must be an array of integers."
	}
	for _, id := range ids {
		if s.orgRepo(org, id) == nil {
			return nil, fmt.Sprintf("Bad request - repository %d is not a repository of %s", id, org)
		}
	}
	return normalizeIDs(ids), ""
}

func normalizeIDs(ids []int64) []int64 {
	out := append([]int64(nil), ids...)
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	dedup := out[:0]
	for i, id := range out {
		if i == 0 || id != out[i-1] {
			dedup = append(dedup, id)
		}
	}
	return dedup
}

// orgRepo returns org's repository with id, or nil.
func (s *Server) orgRepo(org string, id int64) *Repo {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, rp := range s.repos {
		if rp.ID == id && strings.EqualFold(rp.Owner, org) {
			return rp
		}
	}
	return nil
}

func (s *Server) deleteSecret(w http.ResponseWriter, r *http.Request, f family) {
	name, ok := s.containerOf(w, r, f, true)
	if !ok {
		return
	}
	key := strings.ToUpper(r.PathValue("secret_name"))
	s.sec.mu.Lock()
	c := s.sec.get(name)
	_, found := c.secrets[key]
	delete(c.secrets, key)
	s.sec.mu.Unlock()
	if !found {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// orgSecret finds the organization secret a repositories request is about,
// writing 404 when there is none. On success the caller holds s.sec.mu.
func (s *Server) orgSecret(w http.ResponseWriter, r *http.Request, f family, write bool) *secret {
	name, ok := s.containerOf(w, r, f, write)
	if !ok {
		return nil
	}
	s.sec.mu.Lock()
	sc := s.sec.get(name).secrets[strings.ToUpper(r.PathValue("secret_name"))]
	if sc == nil {
		s.sec.mu.Unlock()
		writeError(w, http.StatusNotFound, "Not Found")
	}
	return sc
}

func (s *Server) listSelected(w http.ResponseWriter, r *http.Request, f family) {
	sc := s.orgSecret(w, r, f, false)
	if sc == nil {
		return
	}
	ids := append([]int64(nil), sc.selected...)
	s.sec.mu.Unlock()
	org := r.PathValue("org")
	repos := make([]map[string]any, 0, len(ids))
	for _, id := range ids {
		if rp := s.orgRepo(org, id); rp != nil {
			repos = append(repos, repoJSON(rp))
		}
	}
	page, ok := s.paginate(w, r, len(repos))
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"total_count": len(repos), "repositories": repos[page.from:page.to]})
}

// selectedOrgSecret is the request's organization secret, locked, when its
// visibility is selected; otherwise it writes 404 or GitHub's 409 and
// returns nil, unlocked.
func (s *Server) selectedOrgSecret(w http.ResponseWriter, r *http.Request, f family) *secret {
	sc := s.orgSecret(w, r, f, true)
	if sc == nil {
		return nil
	}
	if sc.visibility != secrets.VisibilitySelected {
		s.sec.mu.Unlock()
		writeError(w, http.StatusConflict, "Visibility of the secret is not set to selected")
		return nil
	}
	return sc
}

func (s *Server) setSelected(w http.ResponseWriter, r *http.Request, f family) {
	var body struct {
		IDs *json.RawMessage `json:"selected_repository_ids"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&body); err != nil {
		writeError(w, http.StatusBadRequest, "Problems parsing JSON")
		return
	}
	sc := s.selectedOrgSecret(w, r, f)
	if sc == nil {
		return
	}
	defer s.sec.mu.Unlock()
	if body.IDs == nil {
		writeError(w, http.StatusUnprocessableEntity, "Invalid request.\n\n\"selected_repository_ids\" wasn't supplied.")
		return
	}
	ids, msg := s.orgRepoIDs(r.PathValue("org"), *body.IDs)
	if msg != "" {
		writeError(w, http.StatusUnprocessableEntity, msg)
		return
	}
	sc.selected = ids
	w.WriteHeader(http.StatusNoContent)
}

// addSelected adds (or removes) one repository of a selected-visibility
// organization secret.
func (s *Server) addSelected(w http.ResponseWriter, r *http.Request, f family, add bool) {
	id, err := strconv.ParseInt(r.PathValue("repository_id"), 10, 64)
	if err != nil {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	sc := s.selectedOrgSecret(w, r, f)
	if sc == nil {
		return
	}
	defer s.sec.mu.Unlock()
	if s.orgRepo(r.PathValue("org"), id) == nil {
		errorf(w, http.StatusUnprocessableEntity, "Bad request - repository %d is not a repository of %s", id, r.PathValue("org"))
		return
	}
	var ids []int64
	for _, x := range sc.selected {
		if x != id {
			ids = append(ids, x)
		}
	}
	if add {
		ids = append(ids, id)
	}
	sc.selected = normalizeIDs(ids)
	w.WriteHeader(http.StatusNoContent)
}

type rotateKey struct{}

// rotateRequested reports whether a RotateKeyBeforePut fault marked the
// request.
func rotateRequested(ctx context.Context) bool {
	v, _ := ctx.Value(rotateKey{}).(bool)
	return v
}

// SecretValue returns the plaintext of secret name in container (named as
// secrets.Target.String() names it, such as "env:acme/api/production"),
// for tests to compare with what was sealed. Names are case-insensitive.
func (s *Server) SecretValue(container, name string) ([]byte, bool) {
	s.sec.mu.Lock()
	defer s.sec.mu.Unlock()
	sc := s.sec.get(container).secrets[strings.ToUpper(name)]
	if sc == nil {
		return nil, false
	}
	return append([]byte(nil), sc.value...), true
}

// SecretUpdatedAt returns when secret name in container was last written.
func (s *Server) SecretUpdatedAt(container, name string) (time.Time, bool) {
	s.sec.mu.Lock()
	defer s.sec.mu.Unlock()
	sc := s.sec.get(container).secrets[strings.ToUpper(name)]
	if sc == nil {
		return time.Time{}, false
	}
	return sc.updated, true
}

// SetSecret seeds secret name in container with value, as if written at
// updatedAt, for tests of audits and rotation. A new organization secret
// gets visibility "all".
func (s *Server) SetSecret(container, name string, value []byte, updatedAt time.Time) {
	s.sec.mu.Lock()
	defer s.sec.mu.Unlock()
	c := s.sec.get(container)
	key := strings.ToUpper(name)
	sc := c.secrets[key]
	if sc == nil {
		sc = &secret{name: key, created: updatedAt}
		if isOrgContainer(container) {
			sc.visibility = secrets.VisibilityAll
		}
		c.secrets[key] = sc
	}
	sc.value = append([]byte(nil), value...)
	sc.updated = updatedAt
}

func isOrgContainer(name string) bool {
	n := strings.ToLower(name)
	for _, k := range []string{"dependabot:", "codespaces:"} {
		n = strings.TrimPrefix(n, k)
	}
	return strings.HasPrefix(n, "org:")
}

// OrgSecretRepos returns an organization secret's visibility and, for
// visibility "selected", the ids of the repositories selected, sorted. It
// returns "" when there is no such secret.
func (s *Server) OrgSecretRepos(container, name string) (visibility string, ids []int64) {
	s.sec.mu.Lock()
	defer s.sec.mu.Unlock()
	sc := s.sec.get(container).secrets[strings.ToUpper(name)]
	if sc == nil {
		return "", nil
	}
	return sc.visibility, append([]int64(nil), sc.selected...)
}

// RotateKey gives container a new key pair, as GitHub may at any time:
// values sealed for the old key_id are refused from then on.
func (s *Server) RotateKey(container string) {
	s.sec.mu.Lock()
	defer s.sec.mu.Unlock()
	s.sec.get(container).rotate()
}

// SecretNames returns the names of container's secrets, sorted, in upper
// case as GitHub keeps them.
func (s *Server) SecretNames(container string) []string {
	s.sec.mu.Lock()
	defer s.sec.mu.Unlock()
	var out []string
	for _, sc := range sortedSecrets(s.sec.get(container)) {
		out = append(out, sc.name)
	}
	return out
}
