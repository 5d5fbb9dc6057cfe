// Package app runs pat-action's commands for its two front ends, the CLI and
// the container action, which fill the same options and share one code path.
package app

import (
	"context"
	"fmt"
	"io"
)

// Version is stamped at build time with -ldflags "-X github.com/pat-action/pat-action/app.Version=...".
var Version = "dev"

// Run runs pat-action with the process's arguments (without the program name),
// environment, and standard streams, and returns the exit code.
func Run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "version" {
		fmt.Fprintln(stdout, "pat-action", Version)
		return 0
	}
	fmt.Fprintln(stderr, "usage: pat-action check|store|rotate|audit|demo|version [flags]")
	return 2
}
