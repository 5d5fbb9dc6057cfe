package emulator

import (
	"strings"
	"time"
)

// SecretValue returns the plaintext of secret name in container (named as
// the product's target names it, such as "env:acme/api/production"),
// for tests to compare with what was sealed. Names are case-insensitive.
func (s *Server) SecretValue(container, name string) ([]byte, bool) {
	s.sec.mu.Lock()
	defer s.sec.mu.Unlock()
	sc := s.sec.get(container).secrets[strings.ToUpper(name)]
	if sc == nil {
		return nil, false
	}
	return append([]byte(nil), sc.value...), true
}

// SecretUpdatedAt returns when secret name in container was last written.
func (s *Server) SecretUpdatedAt(container, name string) (time.Time, bool) {
	s.sec.mu.Lock()
	defer s.sec.mu.Unlock()
	sc := s.sec.get(container).secrets[strings.ToUpper(name)]
	if sc == nil {
		return time.Time{}, false
	}
	return sc.updated, true
}

// SetSecret seeds secret name in container with value, as if written at
// updatedAt, for tests of audits and rotation. A new organization secret
// gets visibility "all".
func (s *Server) SetSecret(container, name string, value []byte, updatedAt time.Time) {
	s.sec.mu.Lock()
	defer s.sec.mu.Unlock()
	c := s.sec.get(container)
	key := strings.ToUpper(name)
	sc := c.secrets[key]
	if sc == nil {
		sc = &secret{name: key, created: updatedAt}
		if isOrgContainer(container) {
			sc.visibility = visibilityAll
		}
		c.secrets[key] = sc
	}
	sc.value = append([]byte(nil), value...)
	sc.updated = updatedAt
}

func isOrgContainer(name string) bool {
	n := strings.ToLower(name)
	for _, k := range []kind{dependabotKind, codespacesKind, agentsKind} {
		n = strings.TrimPrefix(n, string(k)+":")
	}
	return strings.HasPrefix(n, "org:")
}

// OrgSecretRepos returns an organization secret's visibility and, for
// visibility "selected", the ids of the repositories selected, sorted. It
// returns "" when there is no such secret.
func (s *Server) OrgSecretRepos(container, name string) (visibility string, ids []int64) {
	s.sec.mu.Lock()
	defer s.sec.mu.Unlock()
	sc := s.sec.get(container).secrets[strings.ToUpper(name)]
	if sc == nil {
		return "", nil
	}
	return sc.visibility, append([]int64(nil), sc.selected...)
}

// RotateKey gives container a new key pair, as GitHub may at any time:
// values sealed for the old key_id are refused from then on.
func (s *Server) RotateKey(container string) {
	s.sec.mu.Lock()
	defer s.sec.mu.Unlock()
	s.sec.get(container).rotate()
}

// SecretNames returns the names of container's secrets, sorted, in upper
// case as GitHub keeps them.
func (s *Server) SecretNames(container string) []string {
	s.sec.mu.Lock()
	defer s.sec.mu.Unlock()
	var out []string
	for _, sc := range sortedSecrets(s.sec.get(container)) {
		out = append(out, sc.name)
	}
	return out
}
