package app

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/pat-action/pat-action/inventory"
)

// inventoryOutputs are the tokens command's action outputs, and store's
// previous-token.
func (r *Report) inventoryOutputs() [][2]string {
	var out [][2]string
	if r.PreviousToken != "" {
		out = append(out, [2]string{"previous-token", r.PreviousToken})
	}
	if r.Summary != nil {
		out = append(out,
			[2]string{"tokens-total", strconv.Itoa(r.Summary.Total)},
			[2]string{"tokens-failed", strconv.Itoa(r.Summary.Failed)},
			[2]string{"tokens-revoked", strconv.Itoa(r.Summary.Revoked)})
	}
	return out
}

// samlText says how the classic tokens were found.
func (r *Report) samlText() string {
	switch r.SAML {
	case "none":
		return "no SAML single sign-on: no classic tokens are authorized for the organization"
	case "unavailable":
		return "GitHub Enterprise Server has no SAML credential authorizations: classic tokens are not listed"
	case "failed":
		return "the SAML credential authorizations could not be listed: classic tokens are missing"
	}
	return ""
}

// writeInventoryText is the inventory's human view: one line per failing
// token, then the counts.
func (r *Report) writeInventoryText(w io.Writer) {
	if r.Summary == nil {
		return
	}
	for _, t := range r.Tokens {
		if t.Passed {
			continue
		}
		fmt.Fprintf(w, "  FAIL %-12s %-12s %-6d %s", t.Kind, t.Owner, t.ID, strings.Join(t.Reasons, "; "))
		if t.Action != inventory.None {
			fmt.Fprintf(w, " [%s]", t.Action)
		}
		fmt.Fprintln(w)
	}
	if s := r.samlText(); s != "" {
		fmt.Fprintf(w, "  note %s\n", s)
	}
	s := r.Summary
	fmt.Fprintf(w, "tokens: %d listed, %d failing, %d revoked, %d denied\n", s.Total, s.Failed, s.Revoked, s.Denied)
}

// inventoryMarkdown is the inventory's job summary: a table of every token.
func (r *Report) inventoryMarkdown(b *strings.Builder) {
	if r.Summary == nil {
		return
	}
	s := r.Summary
	fmt.Fprintf(b, "%d tokens, %d failing, %d revoked, %d denied.\n\n", s.Total, s.Failed, s.Revoked, s.Denied)
	if note := r.samlText(); note != "" {
		fmt.Fprintf(b, "Note: %s.\n\n", note)
	}
	if len(r.Tokens) == 0 {
		return
	}
	b.WriteString("| owner | kind | id | expires | last used | result | action |\n| --- | --- | --- | --- | --- | --- | --- |\n")
	// Failing tokens first, so that a table cut short drops passing ones.
	rank := func(t inventory.Token) int {
		if t.Passed {
			return 1
		}
		return 0
	}
	rows := slices.Clone(r.Tokens)
	slices.SortStableFunc(rows, func(a, b inventory.Token) int { return rank(a) - rank(b) })
	used := 0
	for i, t := range rows {
		row := tokensSummaryRow(t)
		if used += len(row); used > summaryTableBudget {
			fmt.Fprintf(b, "\n%d more tokens not shown: GitHub drops a job summary over 1 MiB; the JSON report lists every token.\n", len(rows)-i)
			break
		}
		b.WriteString(row)
	}
	b.WriteString("\n")
}

// summaryTableBudget is the most bytes of table rows the job summary
// holds: GitHub refuses a step's summary over 1 MiB whole, and the rest
// of the summary needs room too.
const summaryTableBudget = 768 << 10

// annotateTokens is an annotation per failing token.
func annotateTokens(a *annotations, rep *Report) {
	for _, t := range rep.Tokens {
		if t.Passed {
			continue
		}
		msg := fmt.Sprintf("%s token %d of %s fails the policy: %s", t.Kind, t.ID, t.Owner, strings.Join(t.Reasons, "; "))
		if t.Action != inventory.None {
			msg += " (" + string(t.Action) + ")"
		}
		if t.Action == inventory.Revoked || t.Action == inventory.Denied {
			a.warningf("%s", msg)
			continue
		}
		a.errorf("%s", msg)
	}
}
