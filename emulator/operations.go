package emulator

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Operations is GitHub's REST operation list (openapi_operations.yaml, as
// google/go-github keeps it), for holding requests to it.
type Operations struct {
	ops []operation
}

type operation struct {
	Op
	method string
	re     *regexp.Regexp
	params int
}

// Op is one REST operation.
type Op struct {
	// Name is "METHOD /path/{param}".
	Name string
	// GHES is true when GitHub Enterprise Server has it.
	GHES bool
	// Deprecated operations are kept for old servers; the product must not
	// send them.
	Deprecated bool
}

// LoadOperations reads the operation list at path.
func LoadOperations(path string) (*Operations, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load operations: %w", err)
	}
	var doc struct {
		Operations        []opEntry `yaml:"operations"`
		OpenAPIOperations []opEntry `yaml:"openapi_operations"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("load operations %s: %w", path, err)
	}
	o := &Operations{}
	for _, e := range append(doc.Operations, doc.OpenAPIOperations...) {
		method, p, ok := strings.Cut(e.Name, " ")
		if !ok {
			continue
		}
		ghes := false
		for _, f := range e.Files {
			ghes = ghes || strings.Contains(f, "ghes")
		}
		o.ops = append(o.ops, operation{Op: Op{Name: e.Name, GHES: ghes, Deprecated: e.Deprecated}, method: method, re: templateRE(p), params: strings.Count(p, "{")})
	}
	if len(o.ops) == 0 {
		return nil, fmt.Errorf("load operations %s: no operations found", path)
	}
	return o, nil
}

type opEntry struct {
	Name       string   `yaml:"name"`
	Files      []string `yaml:"openapi_files"`
	Deprecated bool     `yaml:"deprecated"`
}

var paramRE = regexp.MustCompile(`\{[^}]+\}`)

func templateRE(p string) *regexp.Regexp {
	parts := paramRE.Split(p, -1)
	for i := range parts {
		parts[i] = regexp.QuoteMeta(parts[i])
	}
	return regexp.MustCompile("^" + strings.Join(parts, "[^/]+") + "$")
}

// Match returns the operation a request for method and path (relative to the
// API base, escaped, starting with "/") is. HEAD is matched as GET. Where
// templates overlap, a current operation wins over a deprecated one, then
// the one with fewer parameters (public-key over {secret_name}).
func (o *Operations) Match(method, path string) (Op, bool) {
	if method == "HEAD" {
		method = "GET"
	}
	var best *operation
	for i := range o.ops {
		op := &o.ops[i]
		if op.method != method || !op.re.MatchString(path) {
			continue
		}
		if best == nil || (best.Deprecated && !op.Deprecated) ||
			(best.Deprecated == op.Deprecated && op.params < best.params) {
			best = op
		}
	}
	if best == nil {
		return Op{}, false
	}
	return best.Op, true
}

// Lookup finds the operation named name ("METHOD /path/{param}").
func (o *Operations) Lookup(name string) (Op, bool) {
	for _, op := range o.ops {
		if op.Name == name {
			return op.Op, true
		}
	}
	return Op{}, false
}

// FindOperationsFile looks for shared/github-api/openapi_operations.yaml in
// the working directory and its parents, where the project's checkout keeps
// it beside the repository.
func FindOperationsFile() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, "shared", "github-api", "openapi_operations.yaml")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("shared/github-api/openapi_operations.yaml not found in any parent directory")
		}
		dir = parent
	}
}
