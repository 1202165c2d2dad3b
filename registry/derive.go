package registry

import (
	"sort"
	"time"
)

// PrevFiscalYear is the fiscal year a rule calls "上年度" for asOf: the last
// calendar year before asOf's year (SPEC §3). "近2年" is that year and the
// one before it.
func PrevFiscalYear(asOf time.Time) int { return asOf.Year() - 1 }

// EndOfPrevYear is 31 December of the fiscal year before asOf, the date
// "as of the end of the previous year" conditions are measured at.
func EndOfPrevYear(asOf time.Time) time.Time {
	return time.Date(asOf.Year()-1, 12, 31, 0, 0, 0, 0, time.UTC)
}

// Year returns the fiscal year y of the firm, or nil when it is absent.
func (f *Firm) Year(y int) *Year {
	for i := range f.Years {
		if f.Years[i].Year == y {
			return &f.Years[i]
		}
	}
	return nil
}

// Normalize puts the firm into its canonical stored form: the USCC
// upper-cased and years sorted ascending. It does not validate.
func (f *Firm) Normalize() {
	f.USCC = NormalizeUSCC(f.USCC)
	sort.SliceStable(f.Years, func(i, j int) bool { return f.Years[i].Year < f.Years[j].Year })
}

// Ratio returns num/den. ok is false when either is absent or den is not
// positive: a ratio over nothing is missing data, not zero.
func Ratio(num, den *int64) (r float64, ok bool) {
	if num == nil || den == nil || *den <= 0 {
		return 0, false
	}
	return float64(*num) / float64(*den), true
}

// Growth returns (cur − prev) / prev. ok is false when either is absent or
// prev is not positive.
func Growth(cur, prev *int64) (g float64, ok bool) {
	if cur == nil || prev == nil || *prev <= 0 {
		return 0, false
	}
	// In float64: cur − prev in int64 wraps for extreme (unvalidated) amounts.
	return (float64(*cur) - float64(*prev)) / float64(*prev), true
}

// ValidAt reports whether the honor is in force at d: issued ≤ d ≤ expires.
// An absent issued date counts as "since always" and an absent expiry as
// "no end"; a malformed date makes the honor invalid. d counts as its
// calendar date in its own location, whatever the time of day.
func (h *Honor) ValidAt(d time.Time) bool {
	d = dateOf(d)
	if h.Issued != "" {
		issued, err := ParseDate(h.Issued)
		if err != nil || issued.After(d) {
			return false
		}
	}
	if h.Expires != "" {
		exp, err := ParseDate(h.Expires)
		if err != nil || exp.Before(d) {
			return false
		}
	}
	return true
}

// IssuedWithin reports whether the honor was issued in the window of the
// given number of years ending at d (d − years < issued ≤ d), d counting as
// its calendar date.
func (h *Honor) IssuedWithin(d time.Time, years int) bool {
	d = dateOf(d)
	if h.Issued == "" {
		return false
	}
	issued, err := ParseDate(h.Issued)
	if err != nil || issued.After(d) {
		return false
	}
	return issued.After(d.AddDate(-years, 0, 0))
}

// ValidHonors returns the honors in force at d.
func (f *Firm) ValidHonors(d time.Time) []Honor {
	var out []Honor
	for i := range f.Honors {
		if f.Honors[i].ValidAt(d) {
			out = append(out, f.Honors[i])
		}
	}
	return out
}

// Holds reports whether the firm holds an honor of kind in force at d, at
// minLevel or higher (minLevel "" accepts any level).
func (f *Firm) Holds(kind, minLevel string, d time.Time) bool {
	for i := range f.Honors {
		h := &f.Honors[i]
		if h.Kind == kind && (minLevel == "" || LevelAtLeast(h.Level, minLevel)) && h.ValidAt(d) {
			return true
		}
	}
	return false
}

// YearsInNiche returns the firm's full years in its niche market as of the
// end of the fiscal year before asOf. It uses niche.since when given and
// falls back to niche.years_in_field. ok is false when neither is known.
func (f *Firm) YearsInNiche(asOf time.Time) (years int, ok bool) {
	if f.Niche == nil {
		return 0, false
	}
	if f.Niche.Since != "" {
		since, err := ParseDate(f.Niche.Since)
		if err == nil {
			// Through the whole of 31 December: a firm in the field since
			// 2023-01-01 has 3 full years at the end of 2025.
			return FullYears(since, EndOfPrevYear(asOf).AddDate(0, 0, 1)), true
		}
	}
	if f.Niche.YearsInField != nil {
		return *f.Niche.YearsInField, true
	}
	return 0, false
}

// FullYears counts whole years from a to b (0 when b is before a).
func FullYears(a, b time.Time) int {
	n := b.Year() - a.Year()
	if b.Month() < a.Month() || (b.Month() == a.Month() && b.Day() < a.Day()) {
		n--
	}
	return max(n, 0)
}
