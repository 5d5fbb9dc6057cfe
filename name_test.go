package main

import (
	"io/fs"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// name is the action's one name: its repository, the module path's last
// two elements, the image's name on GHCR and the schema's home.
const name = "pat-action/pat-action"

// TestOneName holds every file a user reads or copies to that one name:
// each uses: of this action, each GHCR image of it, the schema's $id, and
// no placeholder owner.
func TestOneName(t *testing.T) {
	placeholder := "org" + "/pat-action" // split so this file does not hold it
	uses := regexp.MustCompile(`uses:\s*([\w.-]+/pat-action)@`)
	image := regexp.MustCompile(`ghcr\.io/([\w.-]+/pat-action)\b`)
	files := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != "." && strings.HasPrefix(d.Name(), ".") && d.Name() != ".github" {
				return filepath.SkipDir
			}
			return nil
		}
		switch filepath.Ext(path) {
		case ".go", ".md", ".yml", ".yaml", ".json", ".sh":
		default:
			if d.Name() != "Dockerfile" {
				return nil
			}
		}
		files++
		text := readFile(t, path)
		if strings.Contains(text, placeholder) {
			t.Errorf("%s says %s: the action is %s", path, placeholder, name)
		}
		for _, m := range uses.FindAllStringSubmatch(text, -1) {
			if m[1] != name {
				t.Errorf("%s: uses: %s@, want uses: %s@", path, m[1], name)
			}
		}
		for _, m := range image.FindAllStringSubmatch(text, -1) {
			if !strings.EqualFold(m[1], name) {
				t.Errorf("%s: image ghcr.io/%s, want ghcr.io/%s", path, m[1], name)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 20 {
		t.Errorf("looked at %d files, want the repository's", files)
	}
	if id := `"$id": "https://raw.githubusercontent.com/` + name + `/`; !strings.Contains(readRepoFile(t, "plan/plan.schema.json"), id) {
		t.Errorf("plan/plan.schema.json: $id does not start with %s", id)
	}
	if readme := readRepoFile(t, "README.md"); !strings.Contains(readme, "uses: "+name+"@v1") || !strings.Contains(readme, "ghcr.io/"+name) {
		t.Errorf("README does not show uses: %s@v1 and the image ghcr.io/%s", name, name)
	}
}
