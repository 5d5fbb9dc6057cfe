package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// putBody is the body of a secret's PUT.
type putBody struct {
	EncryptedValue *string          `json:"encrypted_value"`
	KeyID          json.RawMessage  `json:"key_id"`
	Visibility     string           `json:"visibility"`
	SelectedIDs    *json.RawMessage `json:"selected_repository_ids"`
}

func (s *Server) putSecret(w http.ResponseWriter, r *http.Request, f family) {
	name, ok := s.containerOf(w, r, f, true)
	if !ok {
		return
	}
	secretName := r.PathValue("secret_name")
	if msg := nameProblem(secretName); msg != "" {
		writeError(w, http.StatusUnprocessableEntity, "Bad request - secret "+msg)
		return
	}
	var body putBody
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&body); err != nil {
		writeError(w, http.StatusBadRequest, "Problems parsing JSON")
		return
	}
	var selected []int64
	if f.scope == orgLevel {
		if !validVisibility(body.Visibility) {
			writeError(w, http.StatusUnprocessableEntity, "Invalid request.\n\nvisibility must be one of all, private, selected.")
			return
		}
		if body.SelectedIDs != nil && body.Visibility != visibilitySelected {
			writeError(w, http.StatusUnprocessableEntity, "Bad request - selected_repository_ids can only be given with visibility selected")
			return
		}
		if body.SelectedIDs != nil {
			var msg string
			if selected, msg = s.orgRepoIDs(r.PathValue("org"), *body.SelectedIDs); msg != "" {
				writeError(w, http.StatusUnprocessableEntity, msg)
				return
			}
		}
	}

	s.sec.mu.Lock()
	defer s.sec.mu.Unlock()
	c := s.sec.get(name)
	if rotateRequested(r.Context()) {
		c.rotate()
	}
	key := strings.ToUpper(secretName)
	sc := c.secrets[key]
	var value []byte
	switch {
	case body.EncryptedValue != nil:
		if keyIDText(body.KeyID) != c.keyID {
			writeError(w, http.StatusUnprocessableEntity, "Bad request - key_id is not the id of this repository's current public key")
			return
		}
		v, ok := openSealed(*body.EncryptedValue, c.pub, c.priv)
		if !ok {
			writeError(w, http.StatusUnprocessableEntity, "Bad request - encrypted_value could not be decrypted with the public key")
			return
		}
		if len(v) > maxValueSize {
			errorf(w, http.StatusUnprocessableEntity, "Bad request - secret value is %d bytes, larger than 48 KB", len(v))
			return
		}
		value = v
	case f.scope != orgLevel || sc == nil:
		// Only an existing organization secret may change its visibility
		// without a value.
		writeError(w, http.StatusUnprocessableEntity, "Invalid request.\n\n\"encrypted_value\" wasn't supplied.")
		return
	}
	status := http.StatusNoContent
	if sc == nil {
		if len(c.secrets) >= f.max {
			errorf(w, http.StatusUnprocessableEntity, "Bad request - a %s can have at most %d secrets", scopeWord(f.scope), f.max)
			return
		}
		sc = &secret{name: key, created: s.opts.Now()}
		c.secrets[key] = sc
		status = http.StatusCreated
	}
	if value != nil {
		sc.value = value
	}
	sc.updated = s.opts.Now()
	if f.scope == orgLevel {
		sc.share(body.Visibility, selected, body.SelectedIDs != nil)
	}
	if status == http.StatusCreated {
		// GitHub's 201 carries an empty JSON object, which clients such as
		// gh decode; an empty body fails them.
		writeJSON(w, status, struct{}{})
		return
	}
	w.WriteHeader(status)
}

func scopeWord(sc level) string {
	switch sc {
	case envLevel:
		return "environment"
	case orgLevel:
		return "organization"
	}
	return "repository"
}

// keyIDText reads a key_id sent as a JSON string or number.
func keyIDText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s
	}
	return string(raw)
}

// orgRepoIDs reads a list of repository ids, each of which must be a
// repository of org; it returns a 422 message when one is not.
func (s *Server) orgRepoIDs(org string, raw json.RawMessage) ([]int64, string) {
	var ids []int64
	if err := json.Unmarshal(raw, &ids); err != nil {
		return nil, "Invalid request.\n\nselected_repository_ids must be an array of integers."
	}
	for _, id := range ids {
		if s.orgRepo(org, id) == nil {
			return nil, fmt.Sprintf("Bad request - repository %d is not a repository of %s", id, org)
		}
	}
	return normalizeIDs(ids), ""
}

func normalizeIDs(ids []int64) []int64 {
	out := append([]int64(nil), ids...)
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	dedup := out[:0]
	for i, id := range out {
		if i == 0 || id != out[i-1] {
			dedup = append(dedup, id)
		}
	}
	return dedup
}

// orgRepo returns org's repository with id, or nil.
func (s *Server) orgRepo(org string, id int64) *Repo {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, rp := range s.repos {
		if rp.ID == id && strings.EqualFold(rp.Owner, org) {
			return rp
		}
	}
	return nil
}
