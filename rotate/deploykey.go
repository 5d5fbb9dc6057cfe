package rotate

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-github/v45/github"
)

// registerKey registers key as a deploy key of owner/repo. When GitHub
// answers 422 "key is already in use", an earlier try of this very request
// registered it and its answer was lost (the retry met the key): the key
// was made moments ago by this run, so no one else can hold it, and it is
// adopted instead of failing the rotation and stranding a second key.
func (r *run) registerKey(ctx context.Context, owner, repo, name string, key *github.Key) (*github.Key, error) {
	k, _, err := r.o.Client.Repositories.CreateKey(ctx, owner, repo, key)
	var ge *github.ErrorResponse
	if err == nil || !errors.As(err, &ge) || ge.Response == nil || ge.Response.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(strings.ToLower(ge.Error()), "already in use") {
		return k, err
	}
	ours, lerr := r.ourKeys(ctx, owner, repo, name)
	if lerr != nil {
		return nil, fmt.Errorf("%w (and %v)", err, lerr)
	}
	for _, o := range ours {
		if o.GetTitle() == key.GetTitle() && sameKey(o.GetKey(), key.GetKey()) {
			return o, nil
		}
	}
	return nil, err
}

// sameKey compares two public keys in authorized_keys form by type and
// key, ignoring any comment.
func sameKey(a, b string) bool {
	fa, fb := strings.Fields(a), strings.Fields(b)
	return len(fa) >= 2 && len(fb) >= 2 && fa[0] == fb[0] && fa[1] == fb[1]
}
