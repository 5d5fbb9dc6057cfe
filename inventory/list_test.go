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
