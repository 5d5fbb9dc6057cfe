package emulator

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// varPlace is where variables live, as the tests name it.
type varPlace struct {
	name      string
	base      string // collection path, no leading slash
	container string
	org       bool
}

var (
	repoVars = varPlace{"repository", "repos/acme/api/actions/variables", "repo:acme/api", false}
	envVars  = varPlace{"environment", "repos/acme/api/environments/prod%2Fus/variables", "env:acme/api/prod/us", false}
	orgVars  = varPlace{"organization", "orgs/acme/actions/variables", "org:acme", true}
)

func (p varPlace) body(name, value string) map[string]any {
	b := map[string]any{"name": name, "value": value}
	if p.org {
		b["visibility"] = "private"
	}
	return b
}

// Every level's variables are created (201, names upper-cased), refused a
// second time (409, in any case), read, updated (204, updated_at moves,
// created_at stays), listed and deleted, on github.com and GHES.
func TestVariablesRoundTrip(t *testing.T) {
	for _, ghes := range []bool{false, true} {
		for _, p := range []varPlace{repoVars, envVars, orgVars} {
			t.Run(map[bool]string{false: "", true: "ghes/"}[ghes]+p.name, func(t *testing.T) {
				c := newClock()
				f := newFixture(t, Options{GHES: ghes, Now: c.now})
				step := func(method, path string, body any, want int) response {
					t.Helper()
					resp := f.do(t, method, path, adminToken, body)
					if resp.status != want {
						t.Fatalf("%s %s: status %d, want %d (%s)", method, path, resp.status, want, resp.body)
					}
					return resp
				}
				step("POST", p.base, p.body("rotation_state", `{"v":1}`), 201)
				step("POST", p.base, p.body("ROTATION_STATE", "other"), 409)
				created := c.now()
				v, ok := f.s.GetVariable(p.container, "Rotation_State")
				if !ok || v.Name != "ROTATION_STATE" || v.Value != `{"v":1}` || !v.CreatedAt.Equal(created) || !v.UpdatedAt.Equal(created) {
					t.Fatalf("stored %+v, %v", v, ok)
				}

				c.add(time.Hour)
				step("PATCH", p.base+"/rotation_state", map[string]any{"value": `{"v":2}`}, 204)
				var one map[string]any
				_ = json.Unmarshal(step("GET", p.base+"/ROTATION_STATE", nil, 200).body, &one)
				want := map[string]any{"name": "ROTATION_STATE", "value": `{"v":2}`, "created_at": "2026-03-01T12:00:00Z", "updated_at": "2026-03-01T13:00:00Z"}
				if p.org {
					want["visibility"] = "private"
				}
				if diff := cmp.Diff(want, one); diff != "" {
					t.Errorf("GET after PATCH (-want +got):\n%s", diff)
				}

				var list struct {
					TotalCount int              `json:"total_count"`
					Variables  []map[string]any `json:"variables"`
				}
				_ = json.Unmarshal(step("GET", p.base, nil, 200).body, &list)
				if list.TotalCount != 1 || len(list.Variables) != 1 || list.Variables[0]["name"] != "ROTATION_STATE" || list.Variables[0]["value"] != `{"v":2}` {
					t.Errorf("list = %+v", list)
				}

				step("DELETE", p.base+"/rotation_state", nil, 204)
				step("DELETE", p.base+"/rotation_state", nil, 404)
				step("GET", p.base+"/rotation_state", nil, 404)
				step("PATCH", p.base+"/rotation_state", map[string]any{"value": "x"}, 404)
				if _, ok := f.s.GetVariable(p.container, "ROTATION_STATE"); ok {
					t.Error("still stored after DELETE")
				}
				if unknown := f.s.Unknown(); len(unknown) > 0 {
					t.Errorf("requests to no operation: %v", unknown)
				}
			})
		}
	}
}

func TestVariableRefusals(t *testing.T) {
	big := strings.Repeat("x", 48*1024)
	tests := []struct {
		name   string
		method string // POST to the collection, or PATCH of EXISTING
		place  varPlace
		path   string // instead of the place's collection
		body   map[string]any
		want   int
	}{
		{"48 KB value", "POST", repoVars, "", map[string]any{"name": "V", "value": big}, 201},
		{"value over 48 KB", "POST", repoVars, "", map[string]any{"name": "V", "value": big + "x"}, 422},
		{"update over 48 KB", "PATCH", repoVars, "", map[string]any{"value": big + "x"}, 422},
		{"empty value", "POST", repoVars, "", map[string]any{"name": "V", "value": ""}, 422},
		{"no value", "POST", repoVars, "", map[string]any{"name": "V"}, 422},
		{"no name", "POST", repoVars, "", map[string]any{"value": "v"}, 422},
		{"name with a dash", "POST", envVars, "", map[string]any{"name": "MY-VAR", "value": "v"}, 422},
		{"name starting with a digit", "POST", repoVars, "", map[string]any{"name": "1VAR", "value": "v"}, 422},
		{"reserved name", "POST", repoVars, "", map[string]any{"name": "github_sha", "value": "v"}, 422},
		{"rename to a reserved name", "PATCH", repoVars, "", map[string]any{"name": "GITHUB_X"}, 422},
		{"rename onto another variable", "PATCH", repoVars, "", map[string]any{"name": "other"}, 409},
		{"org without visibility", "POST", orgVars, "", map[string]any{"name": "V", "value": "v"}, 422},
		{"org with unknown visibility", "POST", orgVars, "", map[string]any{"name": "V", "value": "v", "visibility": "public"}, 422},
		{"org with ids but not selected", "POST", orgVars, "", map[string]any{"name": "V", "value": "v", "visibility": "all", "selected_repository_ids": []int64{1}}, 422},
		{"environment that does not exist", "POST", envVars, "repos/acme/api/environments/staging/variables", map[string]any{"name": "V", "value": "v"}, 404},
		{"repository that does not exist", "POST", repoVars, "repos/acme/gone/actions/variables", map[string]any{"name": "V", "value": "v"}, 404},
		{"organization that does not exist", "POST", orgVars, "orgs/nope/actions/variables", map[string]any{"name": "V", "value": "v", "visibility": "all"}, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, Options{})
			f.s.SetVariable(tt.place.container, "EXISTING", "old", time.Now())
			f.s.SetVariable(tt.place.container, "OTHER", "other", time.Now())
			path := tt.place.base
			if tt.path != "" {
				path = tt.path
			}
			if tt.method == "PATCH" {
				path += "/EXISTING"
			}
			resp := f.do(t, tt.method, path, adminToken, tt.body)
			if resp.status != tt.want {
				t.Fatalf("%s: status %d, want %d (%s)", tt.method, resp.status, tt.want, resp.body)
			}
			names := f.s.VariableNames(tt.place.container)
			wantNames := []string{"EXISTING", "OTHER"}
			if tt.want == 201 {
				wantNames = []string{"EXISTING", "OTHER", "V"}
			}
			if diff := cmp.Diff(wantNames, names); diff != "" {
				t.Errorf("variables after (-want +got):\n%s", diff)
			}
			if v, _ := f.s.GetVariable(tt.place.container, "EXISTING"); tt.want != 204 && v.Value != "old" {
				t.Error("a refused request changed EXISTING")
			}
		})
	}
}

func TestVariableCountLimits(t *testing.T) {
	tests := []struct {
		name  string
		place varPlace
		seed  int
		want  int
	}{
		{"500th repository variable", repoVars, 499, 201},
		{"501st repository variable", repoVars, 500, 422},
		{"100th environment variable", envVars, 99, 201},
		{"101st environment variable", envVars, 100, 422},
		{"1,000th organization variable", orgVars, 999, 201},
		{"1,001st organization variable", orgVars, 1000, 422},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, Options{})
			for i := range tt.seed {
				f.s.SetVariable(tt.place.container, "V"+itoa(i), "v", time.Now())
			}
			if got := f.do(t, "POST", tt.place.base, adminToken, tt.place.body("NEW", "v")).status; got != tt.want {
				t.Errorf("POST: status %d, want %d", got, tt.want)
			}
			// Updating is never refused for the count.
			if got := f.do(t, "PATCH", tt.place.base+"/V0", adminToken, map[string]any{"value": "w"}).status; got != 204 {
				t.Errorf("PATCH at the limit: status %d, want 204", got)
			}
		})
	}
}

// Variable lists page 10 at a time by default and at most 30, with
// total_count the whole list's length.
func TestVariablesPagination(t *testing.T) {
	f := newFixture(t, Options{})
	for i := range 35 {
		f.s.SetVariable("repo:acme/api", "V"+itoa(100+i), "v", time.Now())
	}
	tests := []struct {
		query    string
		wantLen  int
		wantNext bool
		first    string
	}{
		{"", 10, true, "V100"},
		{"?per_page=100", 30, true, "V100"},
		{"?per_page=30&page=2", 5, false, "V130"},
		{"?per_page=10&page=4", 5, false, "V130"},
		{"?page=9", 0, false, ""},
		{"?per_page=abc", 10, true, "V100"},
		{"?per_page=0&page=0", 10, true, "V100"},
	}
	for _, tt := range tests {
		resp := f.do(t, "GET", "repos/acme/api/actions/variables"+tt.query, adminToken, nil)
		var list struct {
			TotalCount int `json:"total_count"`
			Variables  []struct {
				Name string `json:"name"`
			} `json:"variables"`
		}
		_ = json.Unmarshal(resp.body, &list)
		if resp.status != 200 || list.TotalCount != 35 || len(list.Variables) != tt.wantLen {
			t.Errorf("%q: status %d, total %d, %d variables; want 35, %d", tt.query, resp.status, list.TotalCount, len(list.Variables), tt.wantLen)
			continue
		}
		if tt.wantLen > 0 && list.Variables[0].Name != tt.first {
			t.Errorf("%q: first %s, want %s", tt.query, list.Variables[0].Name, tt.first)
		}
		if next := strings.Contains(resp.header.Get("Link"), `rel="next"`); next != tt.wantNext {
			t.Errorf("%q: Link %q, want next=%v", tt.query, resp.header.Get("Link"), tt.wantNext)
		}
	}
}

func TestVariablesAccess(t *testing.T) {
	tests := []struct {
		name   string
		token  Token
		method string
		place  varPlace
		want   int
	}{
		{"repo scope lists", Token{Scopes: []string{"repo"}}, "GET", repoVars, 200},
		{"repo scope creates", Token{Scopes: []string{"repo"}}, "POST", repoVars, 201},
		{"public_repo only", Token{Scopes: []string{"public_repo"}}, "GET", repoVars, 403},
		{"admin:org for the organization", Token{Scopes: []string{"admin:org"}}, "POST", orgVars, 201},
		{"write:org is not enough", Token{Scopes: []string{"write:org"}}, "GET", orgVars, 403},
		{"repo is not enough for the organization", Token{Scopes: []string{"repo"}}, "GET", orgVars, 403},
		{"fine-grained variables read lists", Token{Permissions: map[string]string{"variables": "read"}}, "GET", repoVars, 200},
		{"fine-grained variables read cannot create", Token{Permissions: map[string]string{"variables": "read"}}, "POST", repoVars, 403},
		{"fine-grained variables write creates", Token{Permissions: map[string]string{"variables": "write"}}, "POST", repoVars, 201},
		{"fine-grained environments write for an environment", Token{Permissions: map[string]string{"environments": "write"}}, "POST", envVars, 201},
		{"fine-grained variables is not environments", Token{Permissions: map[string]string{"variables": "write"}}, "POST", envVars, 403},
		{"fine-grained organization variables", Token{Permissions: map[string]string{"organization_variables": "write"}}, "POST", orgVars, 201},
		{"fine-grained token not granted the repository", Token{Permissions: map[string]string{"variables": "write"}, Repos: []string{"acme/web"}}, "GET", repoVars, 404},
		{"no token", Token{}, "GET", repoVars, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, Options{})
			tok := tt.token
			switch {
			case tt.name == "no token":
			case tok.Scopes != nil:
				tok.Value = "ghp_limited"
			default:
				tok.Value = "github_pat_limited"
				if tok.Repos == nil {
					tok.Repos = []string{"acme/api"}
				}
			}
			if tok.Value != "" {
				f.s.AddToken(tok)
			}
			var body any
			if tt.method == "POST" {
				body = tt.place.body("NEW", "v")
			}
			if got := f.do(t, tt.method, tt.place.base, tok.Value, body).status; got != tt.want {
				t.Errorf("%s: status %d, want %d", tt.method, got, tt.want)
			}
			if tt.want != 201 && len(f.s.VariableNames(tt.place.container)) != 0 {
				t.Error("a refused request stored a variable")
			}
		})
	}
}

func TestOrgVariableVisibility(t *testing.T) {
	f := newFixture(t, Options{})
	base := orgVars.base
	if got := f.do(t, "POST", base, adminToken, map[string]any{"name": "shared", "value": "v", "visibility": "selected", "selected_repository_ids": []int64{f.webID, f.apiID}}).status; got != 201 {
		t.Fatalf("POST selected: status %d", got)
	}
	check := func(step, wantVis string, wantIDs []int64) {
		t.Helper()
		v, _ := f.s.GetVariable("org:acme", "SHARED")
		if diff := cmp.Diff(wantVis+" "+jsonString(wantIDs), v.Visibility+" "+jsonString(v.SelectedIDs)); diff != "" {
			t.Errorf("after %s: visibility and ids (-want +got):\n%s", step, diff)
		}
	}
	check("POST", "selected", []int64{f.apiID, f.webID})
	resp := f.do(t, "GET", base+"/SHARED", adminToken, nil)
	var got map[string]any
	_ = json.Unmarshal(resp.body, &got)
	if u, _ := got["selected_repositories_url"].(string); !strings.HasSuffix(u, "/orgs/acme/actions/variables/SHARED/repositories") {
		t.Errorf("GET variable = %v", got)
	}
	steps := []struct {
		name, method, path string
		body               any
		want               int
		wantVis            string
		wantIDs            []int64
	}{
		{"set repositories", "PUT", "/repositories", map[string]any{"selected_repository_ids": []int64{f.lib}}, 204, "selected", []int64{f.lib}},
		{"set another owner's repository", "PUT", "/repositories", map[string]any{"selected_repository_ids": []int64{f.otherID}}, 422, "selected", []int64{f.lib}},
		{"add a repository", "PUT", "/repositories/" + itoa(int(f.apiID)), nil, 204, "selected", []int64{f.apiID, f.lib}},
		{"add it again", "PUT", "/repositories/" + itoa(int(f.apiID)), nil, 204, "selected", []int64{f.apiID, f.lib}},
		{"add another owner's repository", "PUT", "/repositories/" + itoa(int(f.otherID)), nil, 422, "selected", []int64{f.apiID, f.lib}},
		{"remove a repository", "DELETE", "/repositories/" + itoa(int(f.lib)), nil, 204, "selected", []int64{f.apiID}},
		{"ids with visibility all", "PATCH", "", map[string]any{"visibility": "all", "selected_repository_ids": []int64{f.lib}}, 422, "selected", []int64{f.apiID}},
		{"visibility private", "PATCH", "", map[string]any{"visibility": "private"}, 204, "private", nil},
		{"add to a private variable", "PUT", "/repositories/" + itoa(int(f.apiID)), nil, 409, "private", nil},
		{"remove from a private variable", "DELETE", "/repositories/" + itoa(int(f.apiID)), nil, 409, "private", nil},
		{"set on a private variable", "PUT", "/repositories", map[string]any{"selected_repository_ids": []int64{f.apiID}}, 409, "private", nil},
		{"list of a private variable", "GET", "/repositories", nil, 409, "private", nil},
		{"back to selected with ids", "PATCH", "", map[string]any{"visibility": "selected", "selected_repository_ids": []int64{f.webID}}, 204, "selected", []int64{f.webID}},
	}
	for _, st := range steps {
		if got := f.do(t, st.method, base+"/SHARED"+st.path, adminToken, st.body).status; got != st.want {
			t.Errorf("%s: status %d, want %d", st.name, got, st.want)
		}
		check(st.name, st.wantVis, st.wantIDs)
	}
	resp = f.do(t, "GET", base+"/SHARED/repositories", adminToken, nil)
	var repos struct {
		TotalCount   int `json:"total_count"`
		Repositories []struct {
			FullName string `json:"full_name"`
		} `json:"repositories"`
	}
	_ = json.Unmarshal(resp.body, &repos)
	if repos.TotalCount != 1 || len(repos.Repositories) != 1 || repos.Repositories[0].FullName != "acme/web" {
		t.Errorf("GET repositories = %+v", repos)
	}
	if v, _ := f.s.GetVariable("org:acme", "SHARED"); v.Value != "v" {
		t.Error("the value changed with the visibility")
	}
}
