package emulator

import (
	"cmp"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// App is a GitHub App. It authenticates with JWTs signed by the private
// half of PublicKey.
type App struct {
	ID int64
	// ClientID is the App's client ID, which a JWT may carry as its issuer
	// instead of the ID, as GitHub now recommends.
	ClientID  string
	Slug      string
	PublicKey *rsa.PublicKey
}

// Installation is an App's installation on an organization or user account.
type Installation struct {
	ID    int64
	AppID int64
	// Account is the organization or user login the app is installed on.
	Account string
	// Permissions are what the installation was granted, such as
	// "contents": "write".
	Permissions map[string]string
	// Repos are the "owner/repo" names the installation was granted; nil
	// means all of Account's repositories.
	Repos []string
}

func (s *Server) appRoutes() {
	s.handle("GET /app", s.getApp)
	s.handle("GET /app/installations", s.listInstallations)
	s.handle("POST /app/installations/{installation_id}/access_tokens", s.createInstallationToken)
	s.handle("GET /orgs/{org}/installation", s.getOrgInstallation)
	s.handle("GET /repos/{owner}/{repo}/installation", s.getRepoInstallation)
	s.handle("GET /users/{username}/installation", s.getUserInstallation)
}

// AddApp registers a GitHub App.
func (s *Server) AddApp(a App) {
	s.mu.Lock()
	defer s.mu.Unlock()
	aa := a
	s.rot.apps[a.ID] = &aa
}

// AddInstallation registers an App's installation.
func (s *Server) AddInstallation(in Installation) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := in
	c.Permissions = make(map[string]string, len(in.Permissions))
	for k, v := range in.Permissions {
		c.Permissions[k] = v
	}
	c.Repos = slices.Clone(in.Repos)
	s.rot.insts[in.ID] = &c
}

// MintedTokens is how many installation tokens the server has issued.
func (s *Server) MintedTokens() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rot.minted
}

// isAppAuth reports whether the request is to an operation that
// authenticates with an App's JWT and carries something shaped like one
// (three dot-separated parts), which ServeHTTP then lets through for the
// handler to verify rather than refusing as an unknown token.
func isAppAuth(op string, r *http.Request) bool {
	switch op {
	case "GET /app", "GET /app/installations", "POST /app/installations/{installation_id}/access_tokens",
		"GET /orgs/{org}/installation", "GET /repos/{owner}/{repo}/installation", "GET /users/{username}/installation":
	default:
		return false
	}
	_, v, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	return strings.Count(v, ".") == 2
}

// jwtSkew is the clock drift GitHub tolerates; jwtMaxLife is the longest
// a JWT may live.
const (
	jwtSkew    = 60 * time.Second
	jwtMaxLife = 10 * time.Minute
)

// errJWT is GitHub's answer for a JWT it cannot verify.
//
//lint:ignore ST1005 GitHub's own message, word for word
var errJWT = errors.New("A JSON web token could not be decoded")

// authApp verifies the request's JWT as GitHub does and returns its App, or
// writes 401 with GitHub's message.
func (s *Server) authApp(w http.ResponseWriter, r *http.Request) *App {
	app, err := s.verifyJWT(r)
	if err != nil {
		writeError(w, http.StatusUnauthorized, err.Error())
		return nil
	}
	return app
}

func (s *Server) verifyJWT(r *http.Request) (*App, error) {
	scheme, raw, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "bearer") {
		return nil, errJWT
	}
	var app *App
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(raw, claims, func(*jwt.Token) (any, error) {
		s.mu.Lock()
		app = s.appByIssuer(claims["iss"])
		s.mu.Unlock()
		if app == nil || app.PublicKey == nil {
			return nil, errJWT
		}
		return app.PublicKey, nil
	}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithoutClaimsValidation())
	if err != nil {
		return nil, errJWT
	}
	now := s.opts.Now()
	iat, err := claims.GetIssuedAt()
	if err != nil || iat == nil || iat.After(now.Add(jwtSkew)) {
		return nil, errors.New("'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued")
	}
	exp, err := claims.GetExpirationTime()
	if err != nil || exp == nil || !exp.Add(jwtSkew).After(now) {
		return nil, errors.New("'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires")
	}
	if exp.Sub(iat.Time) > jwtMaxLife || exp.After(now.Add(jwtMaxLife+jwtSkew)) {
		return nil, errors.New("'Expiration time' claim ('exp') is too far in the future")
	}
	return app, nil
}

// appByIssuer finds the App a JWT's iss claim names: its ID, as a number or
// a string, or its client ID. s.mu must be held.
func (s *Server) appByIssuer(iss any) *App {
	if id, ok := issuer(iss); ok {
		return s.rot.apps[id]
	}
	if cid, ok := iss.(string); ok && cid != "" {
		for _, a := range s.rot.apps {
			if a.ClientID == cid {
				return a
			}
		}
	}
	return nil
}

// issuer reads the iss claim, which GitHub takes as a number or a string.
func issuer(v any) (int64, bool) {
	switch v := v.(type) {
	case float64:
		return int64(v), v == float64(int64(v))
	case string:
		id, err := strconv.ParseInt(v, 10, 64)
		return id, err == nil
	case json.Number:
		id, err := v.Int64()
		return id, err == nil
	}
	return 0, false
}

func (s *Server) getApp(w http.ResponseWriter, r *http.Request) {
	app := s.authApp(w, r)
	if app == nil {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": app.ID, "slug": app.Slug, "name": app.Slug})
}

func installationJSON(app *App, in *Installation) map[string]any {
	sel := "all"
	if in.Repos != nil {
		sel = "selected"
	}
	return map[string]any{
		"id":                   in.ID,
		"app_id":               in.AppID,
		"app_slug":             app.Slug,
		"account":              map[string]any{"login": in.Account},
		"permissions":          in.Permissions,
		"repository_selection": sel,
	}
}

// installations returns app's installations, by id.
func (s *Server) installations(app *App) []*Installation {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*Installation
	for _, in := range s.rot.insts {
		if in.AppID == app.ID {
			out = append(out, in)
		}
	}
	slices.SortFunc(out, func(a, b *Installation) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

func (s *Server) listInstallations(w http.ResponseWriter, r *http.Request) {
	app := s.authApp(w, r)
	if app == nil {
		return
	}
	all := s.installations(app)
	lo, hi := s.listPage(w, r, len(all))
	out := make([]map[string]any, 0, hi-lo)
	for _, in := range all[lo:hi] {
		out = append(out, installationJSON(app, in))
	}
	writeJSON(w, http.StatusOK, out)
}

// findInstallation writes the app's installation on account that reaches
// repo (any when repo is ""), or 404.
func (s *Server) findInstallation(w http.ResponseWriter, r *http.Request, account, repo string) {
	app := s.authApp(w, r)
	if app == nil {
		return
	}
	for _, in := range s.installations(app) {
		if !strings.EqualFold(in.Account, account) {
			continue
		}
		if repo != "" && !s.installationRepos(in).reaches(account+"/"+repo) {
			continue
		}
		writeJSON(w, http.StatusOK, installationJSON(app, in))
		return
	}
	writeError(w, http.StatusNotFound, "Not Found")
}

// installationRepos is a Token reaching the existing repositories in grants.
func (s *Server) installationRepos(in *Installation) *Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := &Token{}
	for _, rp := range s.repos {
		if !strings.EqualFold(rp.Owner, in.Account) {
			continue
		}
		if in.Repos == nil || slices.ContainsFunc(in.Repos, func(n string) bool { return strings.EqualFold(n, rp.FullName()) }) {
			t.Repos = append(t.Repos, rp.FullName())
		}
	}
	slices.Sort(t.Repos)
	return t
}

func (s *Server) getOrgInstallation(w http.ResponseWriter, r *http.Request) {
	s.findInstallation(w, r, r.PathValue("org"), "")
}

func (s *Server) getUserInstallation(w http.ResponseWriter, r *http.Request) {
	s.findInstallation(w, r, r.PathValue("username"), "")
}

func (s *Server) getRepoInstallation(w http.ResponseWriter, r *http.Request) {
	s.findInstallation(w, r, r.PathValue("owner"), r.PathValue("repo"))
}

// createInstallationToken mints a ghs_ token for an installation, valid an
// hour, narrowed to the repositories (names relative to the account, or
// ids) and permissions asked for; asking for more than the installation
// has is 422, as on GitHub.
func (s *Server) createInstallationToken(w http.ResponseWriter, r *http.Request) {
	app := s.authApp(w, r)
	if app == nil {
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("installation_id"), 10, 64)
	s.mu.Lock()
	in := s.rot.insts[id]
	s.mu.Unlock()
	if in == nil || in.AppID != app.ID {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	var body struct {
		Repositories  []string          `json:"repositories"`
		RepositoryIDs []int64           `json:"repository_ids"`
		Permissions   map[string]string `json:"permissions"`
	}
	if r.ContentLength != 0 {
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			writeError(w, http.StatusBadRequest, "Problems parsing JSON")
			return
		}
	}
	granted := s.installationRepos(in)
	repos := granted.Repos
	selection := "all"
	if in.Repos != nil {
		selection = "selected"
	}
	if len(body.Repositories) > 0 || len(body.RepositoryIDs) > 0 {
		var err error
		if repos, err = s.pickRepos(granted, in.Account, body.Repositories, body.RepositoryIDs); err != nil {
			writeError(w, http.StatusUnprocessableEntity, err.Error())
			return
		}
		selection = "selected"
	}
	perms := map[string]string{}
	if len(body.Permissions) == 0 {
		for k, v := range in.Permissions {
			perms[k] = v
		}
	}
	for k, v := range body.Permissions {
		have, ok := levels[in.Permissions[k]]
		if want, known := levels[v]; !ok || !known || want > have {
			writeError(w, http.StatusUnprocessableEntity, "The permissions requested are not granted to this installation.")
			return
		}
		perms[k] = v
	}
	if _, ok := perms["metadata"]; !ok {
		perms["metadata"] = "read" // every installation can read metadata
	}
	tok, err := mintToken()
	if err != nil {
		writeError(w, http.StatusInternalServerError, "mint installation token")
		return
	}
	expires := s.opts.Now().Add(time.Hour)
	s.mu.Lock()
	s.tokens[tok] = &Token{Value: tok, Login: app.Slug + "[bot]", ExpiresAt: expires, Repos: repos, Permissions: perms}
	s.rot.minted++
	var repoList []map[string]any
	if selection == "selected" {
		for _, full := range repos {
			repoList = append(repoList, repoJSON(s.repos[strings.ToLower(full)]))
		}
	}
	s.mu.Unlock()
	resp := map[string]any{
		"token":                tok,
		"expires_at":           expires.UTC().Format(time.RFC3339),
		"permissions":          perms,
		"repository_selection": selection,
	}
	if repoList != nil {
		resp["repositories"] = repoList
	}
	writeJSON(w, http.StatusCreated, resp)
}

// pickRepos resolves requested repository names (relative to account) and
// ids against what the installation was granted.
func (s *Server) pickRepos(granted *Token, account string, names []string, ids []int64) ([]string, error) {
	//lint:ignore ST1005 GitHub's own message, word for word
	errRepo := errors.New("There is at least one repository that does not exist or is not accessible to the parent installation.")
	var out []string
	for _, n := range names {
		full := account + "/" + n
		if strings.Contains(n, "/") || !granted.reaches(full) {
			return nil, errRepo
		}
		s.mu.Lock()
		full = s.repos[strings.ToLower(full)].FullName()
		s.mu.Unlock()
		out = append(out, full)
	}
	for _, id := range ids {
		found := ""
		s.mu.Lock()
		for _, rp := range s.repos {
			if rp.ID == id {
				found = rp.FullName()
			}
		}
		s.mu.Unlock()
		if found == "" || !granted.reaches(found) {
			return nil, errRepo
		}
		out = append(out, found)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// mintToken returns "ghs_" and 36 random alphanumerics, the shape of an
// installation token.
func mintToken() (string, error) {
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 36)
	for i := range b {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(alnum))))
		if err != nil {
			return "", fmt.Errorf("mint installation token: %w", err)
		}
		b[i] = alnum[n.Int64()]
	}
	return "ghs_" + string(b), nil
}
