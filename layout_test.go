package main

import (
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The README's "How the code is laid out" table names every Go package of
// the tree, a package a line, and nothing that no longer exists.
func TestReadmeLayoutMatchesTheTree(t *testing.T) {
	var tree []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") {
			if dir := filepath.ToSlash(filepath.Dir(path)); !slices.Contains(tree, dir) {
				tree = append(tree, dir)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	table := readmeLayout(t, readRepoFile(t, "README.md"))
	slices.Sort(tree)
	slices.Sort(table)
	if diff := cmp.Diff(tree, table); diff != "" {
		t.Errorf("Go packages in the tree vs the README's layout table (-tree +README):\n%s", diff)
	}
}

// readmeLayout returns the first column of the table under "How the code
// is laid out", each package as its directory ("." for the root).
func readmeLayout(t *testing.T, readme string) []string {
	t.Helper()
	_, section, ok := strings.Cut(readme, "\n### How the code is laid out\n")
	if !ok {
		t.Fatal(`README has no "### How the code is laid out" section`)
	}
	if end := strings.Index(section, "\n#"); end >= 0 {
		section = section[:end]
	}
	row := regexp.MustCompile("(?m)^\\| `([^`]+)`")
	var out []string
	for _, m := range row.FindAllStringSubmatch(section, -1) {
		out = append(out, m[1])
	}
	if len(out) == 0 {
		t.Fatal("the layout table has no rows")
	}
	return out
}

// Every paginated list goes through ghclient.EachPage, the one place that
// refuses a list whose Link header loops or never ends: no other product
// code follows a next page itself. The emulator, which serves pages, and
// the benchmark are not the product.
func TestEveryListPagesThroughEachPage(t *testing.T) {
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && path != "." || path == "emulator" || path == "bench" || path == "ghclient") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		if strings.Contains(readRepoFile(t, path), ".NextPage") {
			t.Errorf("%s follows a list's next page itself: use ghclient.EachPage", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
