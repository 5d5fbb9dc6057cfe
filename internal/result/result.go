// Package result holds the rows every command's report is made of: what
// happened to each target, and each problem, so that store's report and a
// rotation's share one definition without depending on each other.
package result

// Secret is what a run did to one secret in one target.
type Secret struct {
	Target string `json:"target"`
	Name   string `json:"name"`
	Result string `json:"result"`
	// Environment is "created" or "would-create" when the target's missing
	// environment was (or would be) created for it (create-environment).
	Environment string `json:"environment,omitempty"`
}

// Problem is one thing that failed, and where.
type Problem struct {
	Target string `json:"target"`
	Error  string `json:"error"`
}
