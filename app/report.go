package app

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	rows "github.com/pat-action/pat-action/internal/result"
	"github.com/pat-action/pat-action/inventory"
	"github.com/pat-action/pat-action/policy"
	"github.com/pat-action/pat-action/rotate"
	"github.com/pat-action/pat-action/token"
)

// Report is the result of a command: text, JSON, outputs and the job summary
// are views of it.
type Report struct {
	// Token is the token a check inspected; rotate and audit have none
	// (their token sources' tokens are in Sources).
	Token    tokenReport    `json:"token,omitzero"`
	Policy   policy.Result  `json:"policy"`
	Secrets  []SecretResult `json:"secrets"`
	Problems []Problem      `json:"problems"`
	// Warnings need a person but fail nothing (a rotation's secret left
	// outside its plan's present reach).
	Warnings []Problem `json:"warnings,omitempty"`
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
	// Checked is what the command looked at; Written what it created or
	// updated.
	Checked Checked `json:"checked"`
	Written Written `json:"written"`
	// Error is why the command failed, if it did; ExitCode is its exit
	// code either way.
	Error    *reportError `json:"error,omitempty"`
	ExitCode int          `json:"exit_code"`

	// checkShown is set once the check's part was written ahead of the
	// rest (showCheck).
	checkShown bool
}

// Checked counts what a command looked at, so that a run that found
// nothing wrong still says what it covered.
type Checked struct {
	Tokens       int `json:"tokens"`
	Repositories int `json:"repositories,omitempty"`
	Targets      int `json:"targets"`
	Secrets      int `json:"secrets"`
}

// reportError is a failed command's error in the JSON report.
type reportError struct {
	// Kind is "usage" (exit 2), "policy" (exit 1) or "api" (exit 3).
	Kind    string `json:"kind"`
	Message string `json:"message"`
}

func newReportError(err error) *reportError {
	kind := map[int]string{exitUsage: "usage", exitPolicy: "policy", exitPartial: "api"}[exitCode(err)]
	return &reportError{Kind: kind, Message: err.Error()}
}

// setError records the command's outcome in the report.
func (r *Report) setError(err error) {
	r.ExitCode = exitCode(err)
	if err != nil {
		r.Error = newReportError(err)
	}
}

// writeErrorJSON is the JSON report of a run stopped by bad input before
// it did anything: only its error and exit code.
func writeErrorJSON(w io.Writer, err error) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Error    *reportError `json:"error"`
		ExitCode int          `json:"exit_code"`
	}{newReportError(err), exitCode(err)})
}

type tokenReport struct {
	token.Info
	DaysLeft *int `json:"days_left"`
	// Permissions are a fine-grained token's, when check could read them
	// from the organization.
	Permissions map[string]string `json:"permissions,omitempty"`
	// Unread is true when GitHub refused the token (401): only its type,
	// from its prefix, is known.
	Unread bool `json:"-"`
}

// MarshalJSON says only what is known of a token GitHub refused.
func (t tokenReport) MarshalJSON() ([]byte, error) {
	if t.Unread {
		return json.Marshal(struct {
			Type  token.Type `json:"type"`
			Valid bool       `json:"valid"`
		}{t.Type, false})
	}
	type plain tokenReport
	return json.Marshal(struct {
		plain
		Valid bool `json:"valid"`
	}{plain(t), true})
}

// SecretResult is what happened to one secret in one target: the result is
// a store's outcome ("created", "would-update", "failed", ...) or a
// rotation's or audit's ("deleted", "unchanged", "stale", ...).
type SecretResult = rows.Secret

// Problem is a target that failed, and why. Its error never holds a value.
type Problem = rows.Problem

// newReport is an empty report whose lists encode as [] rather than null.
func newReport() *Report {
	return &Report{
		Policy:   policy.Result{MissingScopes: []string{}, ExcessScopes: []string{}, ForbiddenScopes: []string{}, Rules: []policy.Rule{}},
		Secrets:  []SecretResult{},
		Problems: []Problem{},
	}
}

func (r *Report) writeJSON(w io.Writer) error {
	r.Written = r.written()
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// Written counts what a command created or updated: secrets, and deploy
// keys registered (a deploy key is not a secret).
type Written struct {
	Secrets    int `json:"secrets"`
	DeployKeys int `json:"deploy_keys"`
}

// written counts the secrets and deploy keys created or updated.
func (r *Report) written() Written {
	var w Written
	for _, s := range r.Secrets {
		if s.Result != "created" && s.Result != "updated" {
			continue
		}
		if strings.HasPrefix(s.Target, rotate.DeployKeyTarget) {
			w.DeployKeys++
		} else {
			w.Secrets++
		}
	}
	return w
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
		{"secrets-written", strconv.Itoa(r.written().Secrets)},
		{"deploy-keys-written", strconv.Itoa(r.written().DeployKeys)},
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
	if !r.checkShown {
		r.writeCheck(w)
	}
	r.writeTargets(w)
	fmt.Fprintln(w, r.summaryLine())
}

// writeCheck is the token and its policy rules, in the human view.
func (r *Report) writeCheck(w io.Writer) {
	if r.Token.Unread {
		fmt.Fprintf(w, "token:   %s; GitHub refused it, so its login, scopes and expiry are unknown\n", r.Token.Type)
	} else if r.Token.Type != "" {
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
}

// showCheck writes the check's part of the report now, before a store's
// per-target progress, so that a log reads in the order things happened;
// writeText then leaves it out.
func (r *Report) showCheck(w io.Writer) {
	r.writeCheck(w)
	r.checkShown = true
}

// writeTargets is the per-target part of the human view.
func (r *Report) writeTargets(w io.Writer) {
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
	for _, is := range r.Issues {
		fmt.Fprintf(w, "  issue    %s\n", issueText(is))
	}
	for _, p := range r.Problems {
		fmt.Fprintf(w, "  problem  %s: %s\n", p.Target, p.Error)
	}
	for _, p := range r.Warnings {
		fmt.Fprintf(w, "  warning  %s: %s\n", p.Target, p.Error)
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
}

// tells reports whether the report already says err, as a problem: it is
// then not said twice.
func (r *Report) tells(err error) bool {
	for _, p := range r.Problems {
		if p.Error == err.Error() {
			return true
		}
	}
	return false
}

// summaryLine is the last line of every command's text: what it looked at,
// the policy's verdict, what it did and how many problems it met.
func (r *Report) summaryLine() string {
	c := r.Checked
	if r.Summary != nil && c.Tokens == 0 {
		c.Tokens = r.Summary.Total // the tokens command's inventory
	}
	parts := []string{"checked " + c.String()}
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
	parts = append(parts, plural(len(r.Problems), "problem"))
	if len(r.Warnings) > 0 {
		parts = append(parts, plural(len(r.Warnings), "warning"))
	}
	return strings.Join(parts, "; ")
}

// String is what was looked at, as a person reads it: "1 token",
// "3 repositories, 12 secrets".
func (c Checked) String() string {
	var parts []string
	if c.Tokens > 0 {
		parts = append(parts, plural(c.Tokens, "token"))
	}
	if c.Repositories > 0 {
		parts = append(parts, plural(c.Repositories, "repository"))
	}
	if c.Targets > 0 {
		parts = append(parts, plural(c.Targets, "target"))
	}
	if c.Secrets > 0 {
		parts = append(parts, plural(c.Secrets, "secret"))
	}
	if len(parts) == 0 {
		return "nothing"
	}
	return strings.Join(parts, ", ")
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
	if len(r.Secrets) > 0 || len(r.Problems) > 0 || len(r.Warnings) > 0 {
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
		for _, p := range r.Warnings {
			fmt.Fprintf(&b, "| %s | | warning: %s |\n", mdCell(p.Target), mdCell(p.Error))
		}
		b.WriteString("\n")
	}
	if r.PreviousToken != "" {
		fmt.Fprintf(&b, "Previous token: %s\n\n", r.PreviousToken)
	}
	r.inventoryMarkdown(&b)
	if len(r.Issues) > 0 {
		b.WriteString("| reminder issue | secret | result |\n| --- | --- | --- |\n")
		for _, is := range r.Issues {
			where := is.Repository
			if is.Number != 0 {
				where += fmt.Sprintf("#%d", is.Number)
			}
			fmt.Fprintf(&b, "| %s | %s | %s |\n", mdCell(where), mdCell(is.Name), is.Result)
		}
		b.WriteString("\n")
	}
	b.WriteString(r.summaryLine() + "\n")
	return b.String()
}

// issueText says what a run did to a reminder issue: "created
// acme/ops#12, the reminder to rotate RELEASE_PAT".
func issueText(is rotate.IssueResult) string {
	where := is.Repository
	if is.Number != 0 {
		where += fmt.Sprintf("#%d", is.Number)
	}
	return fmt.Sprintf("%s %s, the reminder to rotate %s", is.Result, where, is.Name)
}

func mdCell(s string) string {
	if s == "" {
		return "-"
	}
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

// plural is "1 problem", "2 problems", "2 repositories".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "y") {
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(noun, "y"))
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
