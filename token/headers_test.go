package token

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseScopesHeader(t *testing.T) {
	tests := []struct {
		name string
		h    string
		want []string
	}{
		{"empty", "", []string{}},
		{"blank", "   ", []string{}},
		{"commas only", ", ,,", []string{}},
		{"one", "repo", []string{"repo"}},
		{"two", "repo, workflow", []string{"repo", "workflow"}},
		{"no space", "repo,workflow", []string{"repo", "workflow"}},
		{"extra spaces and commas", " ,repo ,,  admin:org, read:packages ,", []string{"repo", "admin:org", "read:packages"}},
		{"colon scopes", "repo:status, write:packages", []string{"repo:status", "write:packages"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ParseScopesHeader(tt.h)
			if got == nil {
				t.Fatal("ParseScopesHeader returned nil; want a non-nil slice")
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseScopesHeader(%q) mismatch (-want +got):\n%s", tt.h, diff)
			}
		})
	}
}

func TestParseExpiration(t *testing.T) {
	tests := []struct {
		name    string
		h       string
		want    time.Time
		wantErr bool
	}{
		{"UTC morning", "2026-12-01 10:00:00 UTC", time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC), false},
		{"UTC afternoon", "2026-12-01 15:04:05 UTC", time.Date(2026, 12, 1, 15, 4, 5, 0, time.UTC), false},
		{"UTC midnight", "2026-12-01 00:00:00 UTC", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), false},
		{"offset east", "2026-12-01 10:00:00 +0900", time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC), false},
		{"offset east crosses day", "2026-12-01 08:30:00 +0900", time.Date(2026, 11, 30, 23, 30, 0, 0, time.UTC), false},
		{"offset west afternoon", "2026-12-01 15:00:00 -0500", time.Date(2026, 12, 1, 20, 0, 0, 0, time.UTC), false},
		{"offset zero", "2026-12-01 23:59:59 +0000", time.Date(2026, 12, 1, 23, 59, 59, 0, time.UTC), false},
		{"offset with colon", "2026-12-01 10:00:00 +09:00", time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC), false},
		{"RFC 3339 Z", "2026-12-01T15:04:05Z", time.Date(2026, 12, 1, 15, 4, 5, 0, time.UTC), false},
		{"RFC 3339 offset", "2026-12-01T15:04:05+02:00", time.Date(2026, 12, 1, 13, 4, 5, 0, time.UTC), false},
		{"fraction truncated", "2026-12-01T15:04:05.9Z", time.Date(2026, 12, 1, 15, 4, 5, 0, time.UTC), false},
		{"surrounding space", " 2026-12-01 10:00:00 UTC ", time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC), false},
		{"empty", "", time.Time{}, true},
		{"date only", "2026-12-01", time.Time{}, true},
		{"named zone other than UTC", "2026-12-01 10:00:00 PST", time.Time{}, true},
		{"12-hour clock", "2026-12-01 03:04:05 PM UTC", time.Time{}, true},
		{"hour 24", "2026-12-01 24:00:00 UTC", time.Time{}, true},
		{"year pushed below 1", "0001-01-01 00:00:00 +0100", time.Time{}, true},
		{"garbage", "never", time.Time{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseExpiration(tt.h)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("ParseExpiration(%q) = %v; want an error", tt.h, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseExpiration(%q): %v", tt.h, err)
			}
			if !got.Equal(tt.want) || got.Location() != time.UTC {
				t.Errorf("ParseExpiration(%q) = %v; want %v in UTC", tt.h, got, tt.want)
			}
		})
	}
}
