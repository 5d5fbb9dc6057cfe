package app

import (
	"os"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

// The inputs the app reads and the inputs action.yml declares are the same
// set: an input the app reads but action.yml lacks could never be set, and
// one action.yml declares but the app ignores would silently do nothing.
// (The root package's tests hold the README's table to action.yml, so all
// three agree.)
func TestActionInputsAreTheOnesTheAppReads(t *testing.T) {
	src, err := os.ReadFile("../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var action struct {
		Inputs map[string]any `yaml:"inputs"`
	}
	if err := yaml.Unmarshal(src, &action); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	var declared, read []string
	for name := range action.Inputs {
		declared = append(declared, name)
	}
	for _, in := range inputs {
		read = append(read, in.name)
	}
	slices.Sort(declared)
	slices.Sort(read)
	if diff := cmp.Diff(read, declared); diff != "" {
		t.Errorf("inputs the app reads vs action.yml (-app +action.yml):\n%s", diff)
	}
}
