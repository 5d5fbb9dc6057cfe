package app

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/pat-action/pat-action/inventory"
	"github.com/pat-action/pat-action/policy"
	"github.com/pat-action/pat-action/rotate"
	"github.com/pat-action/pat-action/token"
)

// Report is the result of a command: text, JSON, outputs and the job summary
// are views of it.
type Report struct {
	Token    tokenReport    `json:"token"`
	Policy   policy.Result  `json:"policy"`
	Secrets  []SecretResult `json:"secrets"`
	Problems []Problem      `json:"problems"`
	// Sources are a rotation's or audit's secrets and how their sources
	// stood; Issues are the reminder issues it opened, updated or closed.
	Sources []rotate.SourceResult `json:"sources,omitempty"`
	Issues  []rotate.IssueResult  `json:"issues,omitempty"`
	// PreviousToken is what store did with the token it replaced:
	// revoked, kept or would-revoke.
	PreviousToken string `json:"previous_token,omitempty"`
	// Tokens, Summary and SAML are the tokens command's inventory.
	Tokens  []inventory.Token  `json:"tokens,omitempty"`
	Summary *inventory.Summary `json:"summary,omitempty"`
	SAML    string             `json:"saml,omitempty"`
}

type tokenReport struct {
	token.Info
	DaysLeft *int `json:"days_left"`
	// Permissions are a fine-grained token's, when check could read them
	// from the organization.
	Permissions map[string]string `json:"permissions,omitempty"`
}

// SecretResult is what happened to one secret in one target: the result is
// a store's outcome ("created", "would-update", "failed", ...) or a
// rotation's or audit's ("deleted", "unchanged", "stale", ...).
type SecretResult struct {
	Target string `json:"target"`
	Name   string `json:"name"`
	Result string `json:"result"`
	// Environment is "created" or "would-create" when the target's missing
	// environment was (or would be) created for it (create-environment).
	Environment string `json:"environment,omitempty"`
}

// Problem is a target that failed, and why. Its error never holds a value.
type Problem struct {
	Target string `json:"target"`
	Error  string `json:"error"`
}

// newReport is an empty report whose lists encode as [] rather than null.
func newReport() *Report {
	return &Report{
		Policy:   policy.Result{MissingScopes: []string{}, ExcessScopes: []string{}, ForbiddenScopes: []string{}},
		Secrets:  []SecretResult{},
		Problems: []Problem{},
	}
}

func (r *Report) writeJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// written counts the secrets created or updated.
func (r *Report) written() int {
	n := 0
	for _, s := range r.Secrets {
		if s.Result == "created" || s.Result == "updated" {
			n++
		}
	}
	return n
}

// outputs are the action outputs, the names the README documents.
func (r *Report) outputs() [][2]string {
	expires, days := "", ""
	if r.Token.ExpiresAt != nil {
		expires = r.Token.ExpiresAt.UTC().Format(time.RFC3339)
	}
	if r.Token.DaysLeft != nil {
		days = strconv.Itoa(*r.Token.DaysLeft)
	}
	out := [][2]string{
		{"token-type", string(r.Token.Type)},
		{"login", r.Token.Login},
		{"scopes", strings.Join(r.Token.Scopes, ",")},
		{"expires-at", expires},
		{"days-left", days},
		{"missing-scopes", strings.Join(r.Policy.MissingScopes, ",")},
		{"excess-scopes", strings.Join(r.Policy.ExcessScopes, ",")},
		{"forbidden-scopes", strings.Join(r.Policy.ForbiddenScopes, ",")},
		{"passed", strconv.FormatBool(r.Policy.Passed)},
		{"secrets-written", strconv.Itoa(r.written())},
	}
	return append(out, r.inventoryOutputs()...)
}

var statusMark = map[policy.Status]string{policy.StatusPass: "✅", policy.StatusWarn: "⚠️", policy.StatusFail: "❌", policy.StatusSkip: "➖"}

// scopesText is how a token's scopes read to a person.
func (r *Report) scopesText() string {
	switch {
	case r.Token.Type == "":
		return ""
	case !r.Policy.ScopesApply && len(r.Token.Scopes) == 0:
		return "none (" + string(r.Token.Type) + " tokens carry no OAuth scopes)"
	case len(r.Token.Scopes) == 0:
		return "none"
	}
	return strings.Join(r.Token.Scopes, ", ")
}

func (r *Report) expiryText() string {
	if r.Token.ExpiresAt == nil {
		if r.Token.Type == "" {
			return ""
		}
		return "never"
	}
	s := r.Token.ExpiresAt.UTC().Format(time.RFC3339)
	if r.Token.DaysLeft != nil {
		s += fmt.Sprintf(" (%d days left)", *r.Token.DaysLeft)
	}
	return s
}

// writeText is the human view, for stderr.
func (r *Report) writeText(w io.Writer) {
	if r.Token.Type != "" {
		login := r.Token.Login
		if login == "" {
			login = "-"
		}
		fmt.Fprintf(w, "token:   %s, login %s\n", r.Token.Type, login)
		fmt.Fprintf(w, "scopes:  %s\n", r.scopesText())
		fmt.Fprintf(w, "expires: %s\n", r.expiryText())
		if r.Token.EnterpriseVersion != "" {
			fmt.Fprintf(w, "ghes:    %s\n", r.Token.EnterpriseVersion)
		}
	}
	for _, rule := range r.Policy.Rules {
		fmt.Fprintf(w, "  %-4s %-19s %s\n", rule.Status, rule.Name, rule.Message)
	}
	for _, s := range r.Secrets {
		if s.Result == "failed" {
			continue // its problem line says why
		}
		if s.Environment != "" {
			fmt.Fprintf(w, "  %-12s %s %s (environment %s)\n", s.Result, s.Name, s.Target, s.Environment)
			continue
		}
		fmt.Fprintf(w, "  %-12s %s %s\n", s.Result, s.Name, s.Target)
	}
	for _, p := range r.Problems {
		fmt.Fprintf(w, "  problem  %s: %s\n", p.Target, p.Error)
	}
	for _, s := range r.Sources {
		if len(s.Diverged) > 0 {
			fmt.Fprintf(w, "  diverged %s: %s held an older value than the other targets\n", s.Name, strings.Join(s.Diverged, ", "))
		}
	}
	if r.PreviousToken != "" {
		fmt.Fprintf(w, "  previous token: %s\n", r.PreviousToken)
	}
	r.writeInventoryText(w)
	var parts []string
	if len(r.Policy.Rules) > 0 {
		verdict := "passed"
		if !r.Policy.Passed {
			verdict = "FAILED"
		}
		parts = append(parts, "policy "+verdict)
	}
	if tally := r.tally(); tally != "" {
		parts = append(parts, tally)
	}
	if len(r.Problems) > 0 || len(r.Secrets) > 0 {
		parts = append(parts, plural(len(r.Problems), "problem"))
	}
	if len(parts) > 0 {
		fmt.Fprintln(w, strings.Join(parts, "; "))
	}
}

// tally counts the secrets by result, in the order results first appear:
// "3 created, 1 updated". Failures are counted as problems instead.
func (r *Report) tally() string {
	var order []string
	n := map[string]int{}
	for _, s := range r.Secrets {
		if s.Result == "failed" {
			continue
		}
		if n[s.Result] == 0 {
			order = append(order, s.Result)
		}
		n[s.Result]++
	}
	var parts []string
	for _, res := range order {
		parts = append(parts, fmt.Sprintf("%d %s", n[res], res))
	}
	return strings.Join(parts, ", ")
}

// markdown is the job summary view.
func (r *Report) markdown(title string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## %s\n\n", title)
	if r.Token.Type != "" {
		b.WriteString("| token | |\n| --- | --- |\n")
		fmt.Fprintf(&b, "| type | %s |\n| login | %s |\n| scopes | %s |\n| expires | %s |\n\n",
			r.Token.Type, mdCell(r.Token.Login), mdCell(r.scopesText()), mdCell(r.expiryText()))
	}
	if len(r.Policy.Rules) > 0 {
		b.WriteString("| rule | result | detail |\n| --- | --- | --- |\n")
		for _, rule := range r.Policy.Rules {
			fmt.Fprintf(&b, "| %s | %s %s | %s |\n", rule.Name, statusMark[rule.Status], rule.Status, mdCell(rule.Message))
		}
		b.WriteString("\n")
	}
	if len(r.Secrets) > 0 || len(r.Problems) > 0 {
		b.WriteString("| target | secret | result |\n| --- | --- | --- |\n")
		for _, s := range r.Secrets {
			if s.Result == "failed" {
				continue // its problem row says why
			}
			fmt.Fprintf(&b, "| %s | %s | %s |\n", mdCell(s.Target), mdCell(s.Name), s.Result)
		}
		for _, p := range r.Problems {
			fmt.Fprintf(&b, "| %s | | failed: %s |\n", mdCell(p.Target), mdCell(p.Error))
		}
		b.WriteString("\n")
	}
	if r.PreviousToken != "" {
		fmt.Fprintf(&b, "Previous token: %s\n\n", r.PreviousToken)
	}
	r.inventoryMarkdown(&b)
	return b.String()
}

func mdCell(s string) string {
	if s == "" {
		return "-"
	}
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

// plural is "1 problem", "2 problems".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
