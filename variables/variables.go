// Package variables reads and writes GitHub Actions variables, of a
// repository, an environment or an organization: the one place that calls
// the variables API.
package variables

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/google/go-github/v45/github"

	"github.com/pat-action/pat-action/ghclient"
)

// ErrExists is returned (wrapped) by Create when GitHub answers 409: a
// variable of that name exists already.
var ErrExists = errors.New("variable exists")

// Get reads variable name under base (a variables collection path such as
// "repos/acme/api/actions/variables"). A missing variable is ok == false,
// not an error.
func Get(ctx context.Context, c *github.Client, base, name string) (v Variable, ok bool, err error) {
	req, err := c.NewRequest(http.MethodGet, base+"/"+url.PathEscape(name), nil)
	if err != nil {
		return Variable{}, false, err
	}
	resp, err := c.Do(ctx, req, &v)
	if err != nil {
		if resp != nil && resp.StatusCode == http.StatusNotFound {
			return Variable{}, false, nil
		}
		return Variable{}, false, err
	}
	return v, true, nil
}

// Variable is a variable as GitHub answers it.
type Variable struct {
	Value string `json:"value"`
	// UpdatedAt is when GitHub last changed it.
	UpdatedAt time.Time `json:"updated_at"`
}

// Create creates variable name under base (POST). extra adds fields to the
// body, such as an organization variable's visibility. When the answer to
// the create is lost, the variable is read before the create is sent
// again: holding value, it was created and Create succeeds, rather than
// failing on the 409 a second create would meet.
func Create(ctx context.Context, c *github.Client, base, name, value string, extra map[string]string) error {
	body := map[string]string{"name": name, "value": value}
	for k, v := range extra {
		body[k] = v
	}
	req, err := c.NewRequest(http.MethodPost, base, body)
	if err != nil {
		return err
	}
	created := func(ctx context.Context) (bool, error) {
		cur, ok, err := Get(ctx, c, base, name)
		return ok && cur.Value == value, err
	}
	resp, err := c.Do(ghclient.LookupBeforeRetry(ctx, created), req, nil)
	switch {
	case ghclient.Found(err):
		return nil
	case err != nil && resp != nil && resp.StatusCode == http.StatusConflict:
		return errors.Join(ErrExists, err)
	}
	return err
}

// Update replaces the value of variable name under base (PATCH).
func Update(ctx context.Context, c *github.Client, base, name, value string) error {
	req, err := c.NewRequest(http.MethodPatch, base+"/"+url.PathEscape(name), map[string]string{"name": name, "value": value})
	if err != nil {
		return err
	}
	_, err = c.Do(ctx, req, nil)
	return err
}
