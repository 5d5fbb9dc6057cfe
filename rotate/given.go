package rotate

import (
	"errors"
	"fmt"

	"github.com/pat-action/pat-action/plan"
)

// App is a GitHub App the run was given: its ID or client ID, which GitHub
// takes alike as the JWT's issuer, and its private key in PEM form.
type App struct {
	Issuer string
	Key    string
}

// Given is what the run itself was given, for sources that take it rather
// than naming their own: its token (input: token) and its GitHub App
// (input: app). SetToken, SetAppID and SetAppKey say, in the front end's
// terms, how to give the run its token, its App's ID and its App's private
// key; "" says it for both front ends.
type Given struct {
	Token                         string
	App                           App
	SetToken, SetAppID, SetAppKey string
}

// errRunApp is the run lacking what a source with input: app takes.
var errRunApp = errors.New("its github-app source takes the run's App (input: " + plan.InputApp + ")")

// hint adds to err what to set, when the run lacks what src takes from it.
func hint(src plan.Source, err error, set string) error {
	if src.Input == plan.InputApp && errors.Is(err, errRunApp) {
		return fmt.Errorf("%w: %s", err, set)
	}
	return err
}
