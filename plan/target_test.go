package plan

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPlanOrganizations(t *testing.T) {
	p, err := Parse("p.yml", []byte(`version: 1
secrets:
  - name: A
    source: {type: random}
    targets: [{organization: Beta, topic: x}, {organization: acme, match: y}, {organization: zeta}]
  - name: B
    source: {type: random}
    targets: [{organization: ACME, topic: z}, {repository: gamma/x}]
`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"acme", "beta"}, p.Organizations()); diff != "" {
		t.Errorf("Organizations (-want +got):\n%s", diff)
	}
}
