// Command pat-action checks GitHub tokens against a policy, stores them as
// encrypted secrets and rotates them on a plan, as a CLI and as a container action.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/pat-action/pat-action/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := app.Run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
