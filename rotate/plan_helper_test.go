package rotate

import "github.com/pat-action/pat-action/plan"

// parsePlan parses a plan for a test. The tests name their plan texts plan,
// which would hide the package.
func parsePlan(name string, data []byte) (*plan.Plan, error) {
	return plan.Parse(name, data, plan.Options{})
}

// head starts a plan whose secrets follow.
const head = "version: 1\nsecrets:\n"
