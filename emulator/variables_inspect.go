package emulator

import (
	"strings"
	"time"
)

// Variable is an Actions variable as the emulator keeps it, for tests to
// seed and inspect.
type Variable struct {
	// Name is in upper case, as GitHub keeps it.
	Name      string
	Value     string
	CreatedAt time.Time
	UpdatedAt time.Time
	// Visibility and SelectedIDs (sorted) are an organization variable's.
	Visibility  string
	SelectedIDs []int64
}

// GetVariable returns variable name of container ("repo:acme/api",
// "env:acme/api/production" or "org:acme", as secrets' containers are
// named). Names are case-insensitive.
func (s *Server) GetVariable(container, name string) (Variable, bool) {
	s.vars.mu.Lock()
	defer s.vars.mu.Unlock()
	v := s.vars.get(container)[strings.ToUpper(name)]
	if v == nil {
		return Variable{}, false
	}
	return Variable{
		Name: v.name, Value: v.value, CreatedAt: v.created, UpdatedAt: v.updated,
		Visibility: v.visibility, SelectedIDs: append([]int64(nil), v.selected...),
	}, true
}

// SetVariable seeds variable name of container with value, as if created
// and last updated at updatedAt. A new organization variable gets
// visibility "all". It bypasses GitHub's checks, so tests can seed what
// the API would refuse.
func (s *Server) SetVariable(container, name, value string, updatedAt time.Time) {
	s.vars.mu.Lock()
	defer s.vars.mu.Unlock()
	vars := s.vars.get(container)
	key := strings.ToUpper(name)
	v := vars[key]
	if v == nil {
		v = &variable{name: key, created: updatedAt}
		if isOrgContainer(container) {
			v.visibility = visibilityAll
		}
		vars[key] = v
	}
	v.value = value
	v.updated = updatedAt
}

// VariableNames returns the names of container's variables, sorted, in
// upper case.
func (s *Server) VariableNames(container string) []string {
	s.vars.mu.Lock()
	defer s.vars.mu.Unlock()
	var out []string
	for _, v := range sortedVariables(s.vars.get(container)) {
		out = append(out, v.name)
	}
	return out
}
