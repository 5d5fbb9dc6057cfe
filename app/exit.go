package app

import (
	"errors"
	"fmt"
)

// Exit codes, as the README documents them.
const (
	exitOK      = 0
	exitPolicy  = 1 // the token failed the policy; nothing was written
	exitUsage   = 2 // bad input; nothing was contacted or written
	exitPartial = 3 // GitHub or the network failed for some targets
)

// usageError is bad input: flags, inputs, config, names, sizes.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// usagef makes a usage error.
func usagef(format string, a ...any) error {
	return &usageError{fmt.Errorf(format, a...)}
}

// asUsage marks err, if any, as bad input.
func asUsage(err error) error {
	if err == nil {
		return nil
	}
	return &usageError{err}
}

// policyError is a token that failed its policy.
type policyError struct{ err error }

func (e *policyError) Error() string { return e.err.Error() }
func (e *policyError) Unwrap() error { return e.err }

// exitCode classifies an error once, at the edge. Any error that is neither
// bad input nor a failed policy is GitHub or the network failing.
func exitCode(err error) int {
	var u *usageError
	var p *policyError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &u):
		return exitUsage
	case errors.As(err, &p):
		return exitPolicy
	default:
		return exitPartial
	}
}
