package rotate

import (
	"context"
	"strings"

	"github.com/google/go-github/v45/github"

	"github.com/pat-action/pat-action/ghclient"
)

// registerKey registers key as a deploy key of owner/repo. Registering
// is not idempotent: when the answer is lost, GitHub may have registered
// it, and a second registration would fail with 422 "key is already in
// use". So the key is looked for among this secret's keys before the
// request is sent again, and adopted if there: it was made moments ago by
// this run, so no one else can hold it.
func (r *run) registerKey(ctx context.Context, owner, repo, name string, key *github.Key) (*github.Key, error) {
	var found *github.Key
	lookup := func(ctx context.Context) (bool, error) {
		ours, err := r.ourKeys(ctx, owner, repo, name)
		for _, o := range ours {
			if o.GetTitle() == key.GetTitle() && sameKey(o.GetKey(), key.GetKey()) {
				found = o
			}
		}
		return found != nil, err
	}
	k, _, err := r.o.Client.Repositories.CreateKey(ghclient.LookupBeforeRetry(ctx, lookup), owner, repo, key)
	if ghclient.Found(err) {
		return found, nil
	}
	return k, err
}

// sameKey compares two public keys in authorized_keys form by type and
// key, ignoring any comment.
func sameKey(a, b string) bool {
	fa, fb := strings.Fields(a), strings.Fields(b)
	return len(fa) >= 2 && len(fb) >= 2 && fa[0] == fb[0] && fa[1] == fb[1]
}
