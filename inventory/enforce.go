package inventory

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/google/go-github/v45/github"
	"github.com/pat-action/pat-action/ghclient"
)

// maxBatch is the most ids GitHub takes in one revoke or review request.
const maxBatch = 100

// denyReason is what the owner of a denied request reads.
const denyReason = "Denied by pat-action: the token fails the organization's token policy."

// ErrCap is a run that would revoke more tokens (fine-grained PATs and
// classic PATs authorized for SAML together) than max-revocations allows
// without force.
var ErrCap = errors.New("too many revocations")

// enforce denies failing requests (deny-requests, revoke), revokes failing
// fine-grained PATs in batches and removes the SAML authorization of
// failing classic PATs one by one (revoke), unless more would be revoked,
// of both kinds together, than the cap allows. It returns what failed.
func enforce(ctx context.Context, o Options, res *Result) []error {
	var errs []error
	var deny, revoke, remove []int
	for i, t := range res.Tokens {
		if t.Passed {
			continue
		}
		switch {
		case t.Kind == Request && (o.Enforce == DenyRequests || o.Enforce == Revoke):
			deny = append(deny, i)
		case t.Kind == FineGrained && o.Enforce == Revoke:
			revoke = append(revoke, i)
		case t.Kind == ClassicSSO && o.Enforce == Revoke:
			remove = append(remove, i)
		}
	}
	max := o.MaxRevocations
	if max <= 0 {
		max = DefaultMaxRevocations
	}
	if n := len(revoke) + len(remove); n > max && !o.Force {
		errs = append(errs, fmt.Errorf("%w: %d tokens (%d fine-grained PATs and %d classic PATs authorized for SAML) fail the policy, more than max-revocations (%d): none revoked; check the policy, then raise max-revocations or set force",
			ErrCap, n, len(revoke), len(remove), max))
		revoke, remove = nil, nil
	}
	errs = append(errs, batches(ctx, o, res, deny, Request, "deny", WouldDeny, Denied, func(ids []int64) any {
		return map[string]any{"action": "deny", "pat_request_ids": ids, "reason": denyReason}
	})...)
	errs = append(errs, batches(ctx, o, res, revoke, FineGrained, "revoke", WouldRevoke, Revoked, func(ids []int64) any {
		return map[string]any{"action": "revoke", "pat_ids": ids}
	})...)
	return append(errs, removeSSO(ctx, o, res, remove)...)
}

// batches posts the tokens at idx, all of kind, to where GitHub lists
// them, maxBatch at a time, marking each done (or would in a dry run). A
// batch that fails leaves its tokens as they were and is an error; the
// other batches still go.
func batches(ctx context.Context, o Options, res *Result, idx []int, kind Kind, verb string, would, done Action, body func([]int64) any) []error {
	var errs []error
	for len(idx) > 0 {
		n := min(len(idx), maxBatch)
		batch := idx[:n]
		idx = idx[n:]
		if o.DryRun {
			for _, i := range batch {
				res.Tokens[i].Action = would
			}
			continue
		}
		ids := make([]int64, len(batch))
		for j, i := range batch {
			ids[j] = res.Tokens[i].ID
		}
		req, err := o.Client.NewRequest(http.MethodPost, grantsPath(o.Org, kind), body(ids))
		if err == nil {
			// A resend after a lost answer would meet ids already gone
			// (404): look first whether the batch was done.
			_, err = o.Client.Do(ghclient.LookupBeforeRetry(ctx, func(ctx context.Context) (bool, error) {
				return gone(ctx, o, kind, ids)
			}), req, nil)
		}
		var accepted *github.AcceptedError
		if ghclient.Found(err) || errors.As(err, &accepted) {
			err = nil
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s tokens %v of %s: %w", verb, ids, o.Org, err))
			continue
		}
		for _, i := range batch {
			res.Tokens[i].Action = done
		}
	}
	return errs
}

// gone tells whether none of ids is left among org's fine-grained PATs of
// kind: granted ones after a revocation, pending requests after a denial.
func gone(ctx context.Context, o Options, kind Kind, ids []int64) (bool, error) {
	left, err := listGrants(ctx, o.Client, o.Org, kind)
	if err != nil {
		return false, err
	}
	for _, t := range left {
		if slices.Contains(ids, t.ID) {
			return false, nil
		}
	}
	return true, nil
}
