package natural

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCompare(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{"numbers as numbers", []string{"svc-10", "svc-2", "svc-1"}, []string{"svc-1", "svc-2", "svc-10"}},
		{"targets", []string{"repo:acme/svc-10", "repo:acme/svc-9", "env:acme/api/prod"}, []string{"env:acme/api/prod", "repo:acme/svc-9", "repo:acme/svc-10"}},
		{"leading zeros tie-break by bytes", []string{"a2", "a02", "a1"}, []string{"a1", "a02", "a2"}},
		{"prefix first", []string{"svc-1b", "svc-1", "svc"}, []string{"svc", "svc-1", "svc-1b"}},
		{"huge numbers", []string{"n123456789012345678901234567890", "n99"}, []string{"n99", "n123456789012345678901234567890"}},
		{"letters", []string{"web", "api", "Api"}, []string{"Api", "api", "web"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := slices.Clone(tt.in)
			slices.SortFunc(got, Compare)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			for _, a := range tt.in {
				for _, b := range tt.in {
					if Compare(a, b) != -Compare(b, a) || (Compare(a, b) == 0) != (a == b) {
						t.Errorf("Compare(%q, %q) = %d, Compare(%q, %q) = %d: not a total order", a, b, Compare(a, b), b, a, Compare(b, a))
					}
				}
			}
		})
	}
}
