package plan

import (
	"strings"
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	const day = 24 * time.Hour
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"90d", 90 * day},
		{"12h", 12 * time.Hour},
		{"30m", 30 * time.Minute},
		{"2w", 14 * day},
		{"1d12h", day + 12*time.Hour},
		{"1w2d3h4m", 9*day + 3*time.Hour + 4*time.Minute},
		{"0d12h", 12 * time.Hour},
		{"007d", 7 * day},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDuration(tt.in)
			if err != nil {
				t.Fatalf("ParseDuration(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParseDuration(%q) = %v, want %v", tt.in, got, tt.want)
			}
			if back, err := ParseDuration(FormatDuration(got)); err != nil || back != got {
				t.Errorf("FormatDuration(%v) = %q, which parses to %v, %v", got, FormatDuration(got), back, err)
			}
		})
	}
}

func TestParseDurationErrors(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", `empty duration: want a number and a unit, such as "90d"`},
		{"0d", `duration "0d" is zero: want a positive duration such as "90d"`},
		{"0w0m", `duration "0w0m" is zero`},
		{"-5d", `duration "-5d" is negative: want a positive duration such as "5d"`},
		{"90", `duration "90" has no unit: write "90d" for days (units: w, d, h, m)`},
		{"d", `want a number before each unit`},
		{"1d12", `"12" has no unit`},
		{"12h1d", `write each unit once, largest first`},
		{"1d1d", `write each unit once, largest first`},
		{"5s", `unknown unit "s": want w (weeks), d (days), h (hours) or m (minutes)`},
		{"1.5d", `want whole numbers`},
		{"99999999999999999999d", `is too large`},
		{"9999999999w", `is too large`},
		{"90 d", `unknown unit " "`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := ParseDuration(tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseDuration(%q) error = %v, want it to contain %q", tt.in, err, tt.want)
			}
		})
	}
}
