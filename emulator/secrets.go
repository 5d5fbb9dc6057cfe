package emulator

import (
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
)

// A container is one set of secrets sealed for one key pair: a repository's
// Actions secrets, an environment's, an organization's Dependabot secrets...
// It is named by containerName ("repo:acme/api", "env:acme/api/production",
// "dependabot:org:acme"), with the repository's and environment's names as
// registered.
type container struct {
	pub, priv *[32]byte
	keyID     string
	secrets   map[string]*secret // by upper-case name
}

type secret struct {
	name             string // as GitHub keeps it: upper case
	value            []byte
	created, updated time.Time
	sharing          // organization secrets only
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
	kind  kind
	scope level
	// base is the collection's path template, before "/public-key".
	base string
	// scopes are the classic scopes that grant access.
	scopes []string
	// perm is the fine-grained permission's name (or several,
	// comma-separated, all needed: an environment's secrets take secrets
	// and environments); readLevel what reading needs of them (GitHub asks
	// codespaces_secrets=write even to list).
	perm, readLevel string
	// max is how many secrets one container may hold.
	max int
}

// secretRoutes registers the secrets operations: Actions secrets of
// repositories, environments and organizations, Dependabot secrets of
// repositories and organizations and, except on GHES, Codespaces and Copilot
// agents secrets of repositories and organizations.
func (s *Server) secretRoutes() {
	fams := []family{
		{actionsKind, repoLevel, "/repos/{owner}/{repo}/actions/secrets", []string{"repo"}, "secrets", "read", 100},
		{actionsKind, envLevel, "/repos/{owner}/{repo}/environments/{environment_name}/secrets", []string{"repo"}, "secrets,environments", "read", 100},
		{actionsKind, orgLevel, "/orgs/{org}/actions/secrets", []string{"admin:org"}, "organization_secrets", "read", 1000},
		{dependabotKind, repoLevel, "/repos/{owner}/{repo}/dependabot/secrets", []string{"repo"}, "dependabot_secrets", "read", 100},
		{dependabotKind, orgLevel, "/orgs/{org}/dependabot/secrets", []string{"admin:org"}, "organization_dependabot_secrets", "read", 1000},
	}
	if !s.opts.GHES {
		fams = append(fams,
			family{codespacesKind, repoLevel, "/repos/{owner}/{repo}/codespaces/secrets", []string{"repo"}, "codespaces_secrets", "write", 100},
			family{codespacesKind, orgLevel, "/orgs/{org}/codespaces/secrets", []string{"admin:org"}, "organization_codespaces_secrets", "read", 1000},
		)
		fams = append(fams, agentsFamilies()...)
	}
	for _, f := range fams {
		s.handle("GET "+f.base+"/public-key", func(w http.ResponseWriter, r *http.Request) { s.getPublicKey(w, r, f) })
		s.handle("GET "+f.base, func(w http.ResponseWriter, r *http.Request) { s.listSecrets(w, r, f) })
		s.handle("GET "+f.base+"/{secret_name}", func(w http.ResponseWriter, r *http.Request) { s.getSecret(w, r, f) })
		s.handle("PUT "+f.base+"/{secret_name}", func(w http.ResponseWriter, r *http.Request) { s.putSecret(w, r, f) })
		s.handle("DELETE "+f.base+"/{secret_name}", func(w http.ResponseWriter, r *http.Request) { s.deleteSecret(w, r, f) })
		if f.scope == orgLevel {
			// GitHub lists a secret's selection whatever its visibility.
			s.selectionRoutes(f.base+"/{secret_name}", s.secretSelection(f), false)
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
	var perms []string
	for _, p := range strings.Split(f.perm, ",") {
		perms = append(perms, p+"="+level)
	}
	return s.container(w, r, f.kind, f.scope, access{scopes: f.scopes, perm: strings.Join(perms, ",")})
}

// container finds the request's container of kind k at level l (for
// secrets or variables): the repository (and its environment) or the
// organization must exist and a must let the token in; it writes the
// refusal when not.
func (s *Server) container(w http.ResponseWriter, r *http.Request, k kind, l level, a access) (string, bool) {
	var owner, repo, env, org string
	switch l {
	case repoLevel, envLevel:
		rp := s.repo(w, r)
		if rp == nil {
			return "", false
		}
		a.repo = rp.FullName()
		if !s.authorize(w, r, a) {
			return "", false
		}
		owner, repo = rp.Owner, rp.Name
		if l == envLevel {
			if env = s.environment(rp, r.PathValue("environment_name")); env == "" {
				writeError(w, http.StatusNotFound, "Not Found")
				return "", false
			}
		}
	default:
		org = r.PathValue("org")
		if !s.hasOrg(org) {
			writeError(w, http.StatusNotFound, "Not Found")
			return "", false
		}
		if !s.authorize(w, r, a) {
			return "", false
		}
	}
	return containerName(k, l, owner, repo, env, org), true
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
	if f.scope == orgLevel {
		s.addSharing(r, m, &sc.sharing, "/orgs/"+url.PathEscape(r.PathValue("org"))+"/"+string(f.kind)+"/secrets/"+url.PathEscape(sc.name))
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
	lo, hi := s.listPage(w, r, len(all))
	writeJSON(w, http.StatusOK, map[string]any{"total_count": len(all), "secrets": all[lo:hi]})
}

func sortedSecrets(c *container) []*secret {
	out := make([]*secret, 0, len(c.secrets))
	for _, sc := range c.secrets {
		out = append(out, sc)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
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

type rotateKey struct{}

// rotateRequested reports whether a RotateKeyBeforePut fault marked the
// request.
func rotateRequested(ctx context.Context) bool {
	v, _ := ctx.Value(rotateKey{}).(bool)
	return v
}
