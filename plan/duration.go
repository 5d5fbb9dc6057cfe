package plan

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// durationUnits are the units a plan duration may use, largest first. A
// duration names each unit at most once, in this order: "1w2d", "1d12h".
var durationUnits = []struct {
	suffix byte
	size   time.Duration
}{
	{'w', 7 * 24 * time.Hour},
	{'d', 24 * time.Hour},
	{'h', time.Hour},
	{'m', time.Minute},
}

// ParseDuration parses a plan duration such as "90d", "12h", "30m", "2w" or
// "1d12h": one or more whole numbers, each followed by a unit (w, d, h, m),
// largest unit first, each unit at most once. Zero, negative, empty and
// unitless durations are errors. A day is 24 hours.
func ParseDuration(s string) (time.Duration, error) {
	switch {
	case s == "":
		return 0, fmt.Errorf("empty duration: want a number and a unit, such as \"90d\"")
	case strings.HasPrefix(s, "-"):
		return 0, fmt.Errorf("duration %q is negative: want a positive duration such as %q", s, strings.TrimLeft(s, "-"))
	}
	if _, err := strconv.ParseUint(s, 10, 64); err == nil {
		return 0, fmt.Errorf("duration %q has no unit: write %q for days (units: w, d, h, m)", s, s+"d")
	}
	var total time.Duration
	rest := s
	next := 0 // index into durationUnits of the largest unit still allowed
	for rest != "" {
		n, u, width, err := durationTerm(s, rest, next)
		if err != nil {
			return 0, err
		}
		size := durationUnits[u].size
		if n > int64((1<<63-1)/size) || total > (1<<63-1)-time.Duration(n)*size {
			return 0, fmt.Errorf("duration %q is too large", s)
		}
		total += time.Duration(n) * size
		next = u + 1
		rest = rest[width:]
	}
	if total == 0 {
		return 0, fmt.Errorf("duration %q is zero: want a positive duration such as \"90d\"", s)
	}
	return total, nil
}

// durationTerm reads the number and unit that start rest, the part of the
// duration s not yet read, where the unit must be durationUnits[next] or
// smaller. It returns the number, the unit's index and how many bytes the
// term takes.
func durationTerm(s, rest string, next int) (n int64, unit, width int, err error) {
	i := 0
	for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0, 0, 0, fmt.Errorf("duration %q: want a number before each unit, such as \"1d12h\"", s)
	}
	if i == len(rest) {
		return 0, 0, 0, fmt.Errorf("duration %q: %q has no unit (units: w, d, h, m)", s, rest)
	}
	n, err = strconv.ParseInt(rest[:i], 10, 64)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("duration %q: %q is too large", s, rest[:i])
	}
	for u := next; u < len(durationUnits); u++ {
		if durationUnits[u].suffix == rest[i] {
			return n, u, i + 1, nil
		}
	}
	switch {
	case rest[i] == '.' || rest[i] == ',':
		return 0, 0, 0, fmt.Errorf("duration %q: want whole numbers, such as \"1d12h\" for a day and a half", s)
	case strings.IndexByte("wdhm", rest[i]) >= 0:
		return 0, 0, 0, fmt.Errorf("duration %q: write each unit once, largest first (w, d, h, m), such as \"1d12h\"", s)
	}
	return 0, 0, 0, fmt.Errorf("duration %q: unknown unit %q: want w (weeks), d (days), h (hours) or m (minutes)", s, rest[i:i+1])
}

// FormatDuration writes d in the form ParseDuration reads, largest units
// first ("1d12h"), dropping anything below a minute.
func FormatDuration(d time.Duration) string {
	if d < time.Minute {
		return "0m"
	}
	var b strings.Builder
	for _, u := range durationUnits {
		if n := d / u.size; n > 0 {
			fmt.Fprintf(&b, "%d%c", n, u.suffix)
			d -= n * u.size
		}
	}
	return b.String()
}
