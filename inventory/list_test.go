package inventory

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/pat-action/pat-action/ghclient"
)

// A server whose Link header names the page just read as the next one
// would keep the inventory listing, and holding every repeated page,
// forever: the list is refused instead, after one request.
func TestListThatLoopsRefused(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Link", fmt.Sprintf(`<http://%s%s?per_page=100&page=1>; rel="next"`, r.Host, r.URL.Path))
		fmt.Fprint(w, `[{"id":1,"owner":{"login":"hubot"},"token_name":"t","permissions":{}}]`)
	}))
	defer srv.Close()
	api, err := ghclient.ParseAPIURL(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	c := ghclient.New(api, ghclient.Options{Token: "ghs_x", Pacing: ghclient.Pacing{Off: true}})
	_, err = ListGranted(context.Background(), c, "acme")
	if err == nil || !strings.Contains(err.Error(), "names page 1 as the next") {
		t.Errorf("err = %v, want the looping list refused", err)
	}
	if n := hits.Load(); n != 1 {
		t.Errorf("the server got %d requests, want 1", n)
	}
}

// A revocation whose answer was lost is looked up among the granted PATs,
// a denial's among the pending requests: an id is gone only when the list
// of its own kind no longer holds it (an id absent from the other list
// says nothing).
func TestGoneLooksInItsOwnList(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/orgs/acme/personal-access-tokens":
			fmt.Fprint(w, `[{"id":1,"owner":{"login":"hubot"}}]`)
		case "/orgs/acme/personal-access-token-requests":
			fmt.Fprint(w, `[{"id":2,"owner":{"login":"octocat"}}]`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	api, err := ghclient.ParseAPIURL(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	o := Options{Client: ghclient.New(api, ghclient.Options{Token: "ghs_x", Pacing: ghclient.Pacing{Off: true}}), Org: "acme"}
	tests := []struct {
		kind Kind
		id   int64
		want bool
	}{
		{FineGrained, 1, false},
		{FineGrained, 2, true},
		{Request, 2, false},
		{Request, 1, true},
	}
	for _, tt := range tests {
		got, err := gone(context.Background(), o, tt.kind, []int64{tt.id})
		if err != nil || got != tt.want {
			t.Errorf("gone(%s, %d) = %t, %v; want %t", tt.kind, tt.id, got, err, tt.want)
		}
	}
}
