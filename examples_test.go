package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

// TestExamplesGrantOnlyWhatTheyUse holds each example workflow's
// GITHUB_TOKEN to what its steps use it for. pat-action writes secrets,
// Actions variables (the rotation state) and reminder issues with the
// admin token, never with GITHUB_TOKEN, so an example grants contents: read
// when it checks the repository out, and nothing otherwise.
func TestExamplesGrantOnlyWhatTheyUse(t *testing.T) {
	files, err := filepath.Glob("examples/workflows/*.yml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no example workflows (%v)", err)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			root := parseYAMLFile(t, path)
			checksOut := false
			walkUses(root, func(uses, _ *yaml.Node) {
				checksOut = checksOut || strings.HasPrefix(uses.Value, "actions/checkout@")
			})
			want := map[string]string{}
			if checksOut {
				want["contents"] = "read"
			}
			grants := map[string]*yaml.Node{"top level": lookup(root, "permissions")}
			jobs := lookup(root, "jobs")
			for i := 0; jobs != nil && i+1 < len(jobs.Content); i += 2 {
				if p := lookup(jobs.Content[i+1], "permissions"); p != nil {
					grants["job "+jobs.Content[i].Value] = p
				}
			}
			for where, p := range grants {
				got := map[string]string{}
				if p == nil || p.Kind != yaml.MappingNode || p.Decode(&got) != nil {
					t.Errorf("%s: permissions are not a mapping", where)
					continue
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s: permissions (-want +got):\n%s", where, diff)
				}
			}
		})
	}
}
