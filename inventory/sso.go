package inventory

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/google/go-github/v45/github"

	rows "github.com/pat-action/pat-action/internal/result"
)

// removeSSO removes the SAML single sign-on authorization of the classic
// PATs at idx, one DELETE each, marking each revoked (would-revoke in a
// dry run). A removal GitHub refuses leaves its token as it was and is a
// problem of its own; the others still go. It returns one error saying
// how many failed, if any did.
func removeSSO(ctx context.Context, o Options, res *Result, idx []int) []error {
	failed := 0
	for _, i := range idx {
		t := &res.Tokens[i]
		if o.DryRun {
			t.Action = WouldRevoke
			continue
		}
		req, err := o.Client.NewRequest(http.MethodDelete, fmt.Sprintf("orgs/%s/credential-authorizations/%d", o.Org, t.ID), nil)
		if err == nil {
			_, err = o.Client.Do(ctx, req, nil)
		}
		if err != nil {
			failed++
			res.Problems = append(res.Problems, rows.Problem{Target: fmt.Sprintf("%s %d", ClassicSSO, t.ID),
				Error: fmt.Sprintf("remove the SAML authorization of classic PAT %d (%s) from %s: %v", t.ID, t.Owner, o.Org, adminWrite(err))})
			continue
		}
		t.Action = Revoked
	}
	if failed == 0 {
		return nil
	}
	return []error{fmt.Errorf("remove the SAML authorization of classic PATs from %s: %d of %d failed and keep their access; running again is safe", o.Org, failed, len(idx))}
}

// adminWrite explains GitHub's 403 on a SAML authorization's removal.
func adminWrite(err error) error {
	var ge *github.ErrorResponse
	if errors.As(err, &ge) && ge.Response != nil && ge.Response.StatusCode == http.StatusForbidden {
		return fmt.Errorf(`%w (GitHub removes a SAML authorization for a GitHub App with the organization permission "Administration" (write); read only lists them)`, err)
	}
	return err
}
