package app

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/pat-action/pat-action/inventory"
	"github.com/pat-action/pat-action/policy"
	"github.com/pat-action/pat-action/token"
)

// noSelfPermissions is why check cannot say what a fine-grained token may
// do without the organization's help.
const noSelfPermissions = "GitHub does not let a fine-grained token list its own permissions; " +
	"give organization and an App installation admin token to read them from the organization, and repositories to check its reach"

// permissions reads a fine-grained token's permissions from the
// organization it was granted to, when the admin token is an App
// installation's that may list them; the token is the grant of its owner
// with its expiry. Otherwise it says plainly why they are unknown.
func (o CheckOptions) permissions(ctx context.Context, info token.Info, rep *Report) policy.Rule {
	rule := policy.Rule{Name: "permissions", Status: policy.StatusSkip, Message: noSelfPermissions}
	if typ, _ := token.Classify(o.Admin); o.Org == "" || typ != token.App {
		return rule
	}
	grants, err := inventory.ListGranted(ctx, o.client(o.Admin), o.Org)
	if err != nil {
		rule.Message = fmt.Sprintf("%s; reading them from %s failed: %v", noSelfPermissions, o.Org, err)
		return rule
	}
	var match []inventory.Token
	for _, g := range grants {
		if strings.EqualFold(g.Owner, info.Login) && sameTime(g.ExpiresAt, info.ExpiresAt) {
			match = append(match, g)
		}
	}
	switch len(match) {
	case 0:
		rule.Message = fmt.Sprintf("%s has no fine-grained token of %s with this expiry: the token was not granted access to it", o.Org, info.Login)
		return rule
	case 1:
	default:
		rule.Message = fmt.Sprintf("%s has %d fine-grained tokens of %s with this expiry: which one this is cannot be told", o.Org, len(match), info.Login)
		return rule
	}
	perms := match[0].Permissions
	rep.Token.Permissions = perms
	var list []string
	for name, level := range perms {
		list = append(list, name+":"+level)
	}
	sort.Strings(list)
	return policy.Rule{Name: "permissions", Status: policy.StatusPass,
		Message: fmt.Sprintf("read from %s (token %q): %s", o.Org, match[0].Name, strings.Join(slices.Compact(list), ", "))}
}

// sameTime reports whether two optional times (nil: never) are the same
// second.
func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Unix() == b.Unix()
}
