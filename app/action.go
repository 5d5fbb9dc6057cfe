package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/sethvargo/go-githubactions"

	"github.com/pat-action/pat-action/ghclient"
	"github.com/pat-action/pat-action/policy"
)

// runAction is the container-action front end: inputs from INPUT_*, masks
// first, then outputs, a job summary and annotations.
func (rt runtime) runAction(ctx context.Context) int {
	a := githubactions.New(githubactions.WithGetenv(rt.getenv), githubactions.WithWriter(rt.stdout))
	toks := tokens{token: a.GetInput("token"), admin: a.GetInput("admin-token")}
	// Masks go out before anything else could print a value.
	for _, t := range []string{toks.token, toks.admin} {
		if t != "" {
			a.AddMask(t)
		}
	}
	if toks.admin == "" {
		toks.admin = toks.token
	}
	command := a.GetInput("mode")
	if command == "" {
		command = "check"
	}
	v := values{}
	for _, in := range inputs {
		if in.actionOnly() {
			continue
		}
		s := a.GetInput(in.name)
		if s == "" {
			continue
		}
		v[in.name] = s
		// The runner passes action.yml's defaults too: only a value the
		// workflow chose is worth a warning.
		if !in.usedBy(command) && s != in.def && !(in.bool && s == "false") {
			a.Warningf("input %s does not apply to mode %s: it is ignored", in.name, command)
		}
	}
	// action.yml defaults api-url to ${{ github.api_url }}; a step that
	// runs the image without that default still talks to its own GitHub.
	if v["api-url"] == "" && rt.getenv("GITHUB_API_URL") != "" {
		v["api-url"] = rt.getenv("GITHUB_API_URL")
	}
	if command == "version" {
		fmt.Fprintln(rt.stdout, "pat-action", Version)
		return exitOK
	}
	if command == "demo" {
		return rt.runDemo(ctx)
	}
	rt.mask = maskLines(a.AddMask)
	rep, err := rt.execute(ctx, command, v.withDefaults(), toks)
	code := exitCode(err)
	// Not before the run: values it makes are masked as they are made, and
	// nothing may be printed before their masks.
	a.Debugf("pat-action %s: %s against %s, exit %d", Version, command, ghclient.Redact(v.str("api-url")), code)
	if code == exitUsage {
		a.Errorf("%v", err)
		return code
	}
	rep.writeText(rt.stdout)
	if rt.getenv("GITHUB_OUTPUT") != "" {
		for _, kv := range rep.outputs() {
			a.SetOutput(kv[0], kv[1])
		}
	}
	if rt.getenv("GITHUB_STEP_SUMMARY") != "" {
		a.AddStepSummary(rep.markdown(commandTitle(command)))
	}
	annotate(a, rep)
	var pe *policyError
	if err != nil && !errors.As(err, &pe) {
		a.Errorf("%v", err)
	}
	return code
}

// annotate turns each failed or warned rule and each problem into an
// annotation on the run.
func annotate(a *githubactions.Action, rep *Report) {
	for _, rule := range rep.Policy.Rules {
		switch rule.Status {
		case policy.StatusFail:
			a.Errorf("%s: %s", rule.Name, rule.Message)
		case policy.StatusWarn:
			a.Warningf("%s: %s", rule.Name, rule.Message)
		}
	}
	for _, p := range rep.Problems {
		a.Errorf("%s: %s", p.Target, p.Error)
	}
}
