// Package plan reads and checks a rotation plan file.
package plan

import (
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/pat-action/pat-action/policy"
	"github.com/pat-action/pat-action/secrets"
	"github.com/pat-action/pat-action/token"
)

// Source types: where a secret's new value comes from.
const (
	// SourceToken is a token a person created, read from an environment
	// variable (env) or, with input: token, the token the run was given;
	// validated against the secret's policy and propagated.
	SourceToken = "token"
	// SourceGitHubApp is an installation token minted every run.
	SourceGitHubApp = "github-app"
	// SourceDeployKey is a new ed25519 key pair each rotation: the public
	// half becomes a deploy key, the private half the secret.
	SourceDeployKey = "deploy-key"
	// SourceRandom is random bytes, encoded.
	SourceRandom = "random"
)

// InputToken is the one input a token source may name: the token the run
// was given (the action's token input; the CLI's PAT_ACTION_TOKEN, GH_TOKEN,
// GITHUB_TOKEN or --token-file), which Options.Token carries.
const InputToken = "token"

// InputApp is the one input a github-app source may name: the GitHub App
// the run was given (the action's app-id or client-id and private-key
// inputs; the CLI's PAT_ACTION_APP_ID or PAT_ACTION_CLIENT_ID, and
// PAT_ACTION_APP_PRIVATE_KEY or --app-private-key-file), which
// rotate.Options.App carries.
const InputApp = "app"

// Random value encodings.
const (
	EncodingHex       = "hex"       // lower-case hexadecimal
	EncodingBase64    = "base64"    // standard alphabet, padded
	EncodingBase64URL = "base64url" // URL-safe alphabet, unpadded
)

// Limits a plan must stay within.
const (
	// MaxRandomBytes is the most random bytes a random source may ask for.
	MaxRandomBytes = 4096
	// DefaultRandomBytes and DefaultEncoding apply to a random source that
	// does not say.
	DefaultRandomBytes = 32
	DefaultEncoding    = EncodingHex
)

// Plan is a parsed and checked rotation plan. Parse has already merged
// Defaults into each secret; Defaults is kept for reports.
type Plan struct {
	// File is the name the plan was parsed under.
	File     string
	Version  int
	Defaults Defaults
	Secrets  []Secret
}

// Defaults are the values a plan's defaults: section gives every secret that
// does not set its own. The policy and open-issue apply to token sources
// only; max-age to every source but github-app, which is minted every run.
type Defaults struct {
	Policy PolicySpec
	MaxAge time.Duration
	// MaxAgeText is max-age as the plan wrote it ("2w"), for messages.
	MaxAgeText string
	OpenIssue  bool
}

// Secret is one managed secret: where its value comes from, what the value
// must satisfy and where it is written.
type Secret struct {
	Name   string
	Source Source
	// Policy is the token policy, for token sources only (github-app
	// sources may name Repositories).
	Policy PolicySpec
	// MaxAge is how old a stored value may be before a random or deploy-key
	// source rotates it, or a token source reports it; 0 means no limit.
	MaxAge time.Duration
	// MaxAgeText is max-age as the plan wrote it ("2w"), so that messages
	// speak in the unit the user chose.
	MaxAgeText string
	// Prune deletes the secret from the other repositories of an
	// organization whose match or topic target no longer selects them.
	Prune bool
	// OpenIssue opens or updates an issue in the running repository when a
	// token source's token is within its warning window. It may be set on
	// the secret, in its token source or in defaults.
	OpenIssue bool
	Targets   []TargetSpec
	// Variables are the secret's non-secret companions the plan publishes
	// as Actions variables.
	Variables []VariableSpec
	// Line is the line of the secret's entry in the plan.
	Line int
}

// Source says where a secret's new value comes from. Which fields apply
// depends on Type; Parse rejects the others.
type Source struct {
	Type string
	// Env names the environment variable holding a token source's token;
	// Input, when Env is empty, is InputToken: the token source takes the
	// token the run was given. A parsed plan sets exactly one of them. A
	// github-app source's Input is InputApp when it takes the run's App,
	// and then it names no App and no private key of its own.
	Env   string
	Input string
	// AppID, PrivateKeyEnv or PrivateKeyFile, Installation (the login of
	// the account the app is installed on, or the installation's numeric
	// ID), Permissions (permission name to read, write or admin) and
	// Repositories (names without owner) describe a github-app source.
	// The App is named by exactly one of AppID, AppIDEnv (an environment
	// variable holding the ID), ClientID and ClientIDEnv (one holding the
	// client ID).
	AppID          int64
	AppIDEnv       string
	ClientID       string
	ClientIDEnv    string
	PrivateKeyEnv  string
	PrivateKeyFile string
	Installation   string
	Permissions    map[string]string
	Repositories   []string
	// Repository ("owner/repo") receives a deploy-key source's public half,
	// read-only unless ReadOnly is false (it defaults to true).
	Repository string
	ReadOnly   bool
	// Bytes and Encoding describe a random source.
	Bytes    int
	Encoding string
}

// EncodedLen returns the length of n random bytes in the encoding.
func EncodedLen(n int, encoding string) int {
	switch encoding {
	case EncodingBase64:
		return (n + 2) / 3 * 4
	case EncodingBase64URL:
		return (n*8 + 5) / 6
	default:
		return 2 * n
	}
}

// PolicySpec is the token policy a plan gives a secret. Nil fields are not
// set and leave the check's defaults in force.
type PolicySpec struct {
	RequiredScopes    []string
	AllowedScopes     []string
	ForbiddenScopes   []string
	MinDaysLeft       *int
	RequireExpiration *bool
	AllowedTokenTypes []token.Type
	// Repositories ("owner/repo") the token must reach.
	Repositories []string
}

// merge returns p with every field that over sets replaced by over's. The
// result shares no slice or pointer with p or over.
func (p PolicySpec) merge(over PolicySpec) PolicySpec {
	pick := func(a, b []string) []string {
		if b != nil {
			return slices.Clone(b)
		}
		return slices.Clone(a)
	}
	pickPtr := func(a, b *int) *int {
		if b != nil {
			a = b
		}
		if a == nil {
			return nil
		}
		v := *a
		return &v
	}
	out := PolicySpec{
		RequiredScopes:    pick(p.RequiredScopes, over.RequiredScopes),
		AllowedScopes:     pick(p.AllowedScopes, over.AllowedScopes),
		ForbiddenScopes:   pick(p.ForbiddenScopes, over.ForbiddenScopes),
		MinDaysLeft:       pickPtr(p.MinDaysLeft, over.MinDaysLeft),
		AllowedTokenTypes: pickTypes(p.AllowedTokenTypes, over.AllowedTokenTypes),
		Repositories:      pick(p.Repositories, over.Repositories),
	}
	if r := cmpOr(over.RequireExpiration, p.RequireExpiration); r != nil {
		v := *r
		out.RequireExpiration = &v
	}
	return out
}

func pickTypes(a, b []token.Type) []token.Type {
	if b != nil {
		return slices.Clone(b)
	}
	return slices.Clone(a)
}

// DefaultMinDaysLeft is the min-days-left a policy has when neither the
// secret nor the plan's defaults set one: the check input's default.
const DefaultMinDaysLeft = 7

// Policy returns the policy to hold a token source's token against, with
// the check's defaults for the fields the plan did not set. Repositories is
// not part of it: the caller checks that the token reaches each one.
func (p PolicySpec) Policy() policy.Policy {
	out := policy.Policy{
		RequiredScopes:    slices.Clone(p.RequiredScopes),
		AllowedScopes:     slices.Clone(p.AllowedScopes),
		ForbiddenScopes:   slices.Clone(p.ForbiddenScopes),
		MinDaysLeft:       DefaultMinDaysLeft,
		AllowedTokenTypes: slices.Clone(p.AllowedTokenTypes),
	}
	if p.MinDaysLeft != nil {
		out.MinDaysLeft = *p.MinDaysLeft
	}
	if p.RequireExpiration != nil {
		out.RequireExpiration = *p.RequireExpiration
	}
	return out
}

func cmpOr(a, b *bool) *bool {
	if a != nil {
		return a
	}
	return b
}

// TargetSpec is one entry of a secret's targets, as the plan writes it:
// a repository (with an optional environment), an organization secret, or,
// with match or topic, every selected repository of an organization.
// Parse fills in the defaults: Type "actions", and for an organization
// secret Visibility "selected" when Repositories are given, else "private".
type TargetSpec struct {
	Repository  string
	Environment string
	// CreateEnvironment creates Environment when the repository lacks it.
	CreateEnvironment bool
	Organization      string
	Visibility        string
	Type              secrets.Kind
	Repositories      []string
	// Match is a Go regular expression that a repository's name, without
	// owner, must match.
	Match string
	// Topic is a topic the repository must carry.
	Topic string
	// Exclude names repositories ("owner/repo") never to select.
	Exclude []string
	// Line is the line of the target's entry in the plan.
	Line int

	re *regexp.Regexp // Match, compiled
}

// Error is one problem in a plan file, at a position in it.
type Error struct {
	File   string
	Line   int // 0 when the problem has no position
	Column int // 0 when only the line is known
	// Path names the key, such as "secrets[1].source.bytes".
	Path string
	Msg  string
}

// Error returns "file:line:col: path: message", leaving out what is unknown.
func (e *Error) Error() string {
	var s string
	switch {
	case e.Line == 0:
		s = e.File + ": "
	case e.Column == 0:
		s = fmt.Sprintf("%s:%d: ", e.File, e.Line)
	default:
		s = fmt.Sprintf("%s:%d:%d: ", e.File, e.Line, e.Column)
	}
	if e.Path != "" {
		s += e.Path + ": "
	}
	return s + e.Msg
}
