// Package packaging holds tests that hold the action's packaging to its promises.
package packaging
