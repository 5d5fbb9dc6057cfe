package packaging

import (
	"os"
	"path/filepath"
	"testing"
)

// readRepoFile reads a file by its path from the repository root, the parent of packaging/
// where the tests run.
func readRepoFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", name))
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return string(b)
}
