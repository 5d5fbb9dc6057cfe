package ghclient_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v45/github"

	"github.com/pat-action/pat-action/emulator"
	"github.com/pat-action/pat-action/ghclient"
	"github.com/pat-action/pat-action/secrets"
)

// TestChainOnEmulator writes secrets to many repositories at once through
// the emulator's secondary limits and injected faults: pacing keeps it
// under the limits, and retries get every secret stored.
func TestChainOnEmulator(t *testing.T) {
	const repos = 20
	const token = "ghp_pacingpacingpacingpacingpacing0000"
	const putOp = "PUT /repos/{owner}/{repo}/actions/secrets/{secret_name}"
	limits := emulator.Limits{Concurrent: 5, Points: 100, Window: 500 * time.Millisecond}
	e := emulator.New(emulator.Options{Limits: limits})
	e.AddOrg("acme")
	e.AddToken(emulator.Token{Value: token, Login: "octocat", Scopes: []string{"repo"}})
	for i := range repos {
		e.AddRepo(emulator.Repo{Owner: "acme", Name: fmt.Sprintf("r%d", i)})
	}
	faults := []emulator.Fault{
		{Op: putOp, Kind: emulator.Status5xx, Count: 2},
		{Op: putOp, Kind: emulator.Reset},
		{Op: putOp, Kind: emulator.Secondary403, RetryAfter: time.Second},
		{Op: putOp, Kind: emulator.Primary403, RetryAfter: time.Second},
	}
	for _, f := range faults {
		e.Inject(f)
	}
	srv, apiURL := e.Start()
	defer srv.Close()
	api, err := ghclient.ParseAPIURL(apiURL)
	if err != nil {
		t.Fatal(err)
	}
	// Retry waits are counted, not slept.
	var waits atomic.Int32
	sleep := func(ctx context.Context, _ time.Duration) error {
		waits.Add(1)
		return ctx.Err()
	}
	pacing := ghclient.Pacing{Concurrent: limits.Concurrent, Points: limits.Points, Window: limits.Window}
	c := ghclient.New(api, ghclient.Options{Token: token, Pacing: pacing, Retry: ghclient.Retry{Sleep: sleep}})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	var wg sync.WaitGroup
	for i := range repos {
		wg.Go(func() {
			repo := fmt.Sprintf("r%d", i)
			key, _, err := c.Actions.GetRepoPublicKey(ctx, "acme", repo)
			if err != nil {
				t.Errorf("public key of acme/%s: %v", repo, err)
				return
			}
			sealed, err := secrets.Seal(secrets.PublicKey{KeyID: key.GetKeyID(), Key: key.GetKey()}, []byte("value-"+repo))
			if err != nil {
				t.Errorf("seal for acme/%s: %v", repo, err)
				return
			}
			if _, err := c.Actions.CreateOrUpdateRepoSecret(ctx, "acme", repo, &github.EncryptedSecret{Name: "PAT", KeyID: key.GetKeyID(), EncryptedValue: sealed}); err != nil {
				t.Errorf("store PAT in acme/%s: %v", repo, err)
			}
		})
	}
	wg.Wait()

	for i := range repos {
		repo := fmt.Sprintf("r%d", i)
		if got, ok := e.SecretValue("repo:acme/"+repo, "PAT"); !ok || string(got) != "value-"+repo {
			t.Errorf("secret PAT in acme/%s: stored %t, want the value sent", repo, ok)
		}
	}
	for _, f := range faults {
		if got := e.FaultsFired(f.Kind); got != max(f.Count, 1) {
			t.Errorf("fault %s fired %d times, want %d", f.Kind, got, max(f.Count, 1))
		}
	}
	// Only the injected secondary limit: pacing itself never tripped one.
	if got := e.SecondaryLimited(); got != 1 {
		t.Errorf("emulator refused %d requests with a secondary limit, want 1 (the injected one)", got)
	}
	if got := e.InFlightMax(); got > limits.Concurrent {
		t.Errorf("emulator saw %d requests in flight, limit %d", got, limits.Concurrent)
	}
	// A key and a PUT per repository, and one retry per injected fault.
	if got := len(e.Requests()); got != 2*repos+5 {
		t.Errorf("emulator saw %d requests, want %d", got, 2*repos+5)
	}
	if diff := cmp.Diff(int32(5), waits.Load()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
}
