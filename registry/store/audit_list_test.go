package store_test

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/registry/store"
	"github.com/peiyu/peiyu/registry/storetest"
)

// auditLog is a varied audit log for ListAudit tests: entries whose IDs
// are not in the order of their times nor of their insertion.
type auditLog struct {
	entries []registry.AuditEntry // as stored: times in whole milliseconds
	start   time.Time             // no entry is older
	usccs   []string
	actions []string
	regions []string
}

func newAuditLog(t testing.TB, rng *rand.Rand, n int) *auditLog {
	l := &auditLog{
		start:   time.Date(2026, 6, 30, 9, 0, 0, 0, time.UTC),
		usccs:   []string{uscc(t, 1), uscc(t, 2), uscc(t, 3), uscc(t, 4), "91431281MA0000001X", ""},
		actions: []string{"whitelist.lookup", "firm.update", "firm.create", "key.create", "year.put"},
		// Districts of two cities of one province and of another
		// province; codes of other lengths, which no region holds but
		// which a city's range of codes would.
		regions: []string{"431202", "431221", "431281", "431200", "430102", "440305", "4312", "43120", "4312021", "", "431202"},
	}
	ids := make([]string, n)
	for i := range ids {
		ids[i] = uuid.Must(uuid.NewV7()).String()
	}
	for i, j := range rng.Perm(n) {
		e := registry.AuditEntry{
			ID:   ids[j],
			Time: l.start.Add(time.Duration(rng.IntN(600_000)) * time.Millisecond),
			// Weighted like a live log: mostly bank lookups.
			Role:    registry.Roles[min(rng.IntN(6), 3)],
			Action:  l.actions[min(rng.IntN(8), 4)],
			USCC:    l.usccs[rng.IntN(len(l.usccs))],
			KeyID:   fmt.Sprintf("k%d", rng.IntN(5)),
			KeyName: "key", Outcome: 200, RequestID: fmt.Sprintf("r%d", i), Method: "GET", Path: "/p",
		}
		e.RegionCode = l.regions[rng.IntN(len(l.regions))]
		if i%7 == 0 && i > 0 {
			e.Time = l.entries[i-1].Time // the same millisecond
		}
		l.entries = append(l.entries, e)
	}
	return l
}

// append stores the log in batches of varied sizes.
func (l *auditLog) append(t testing.TB, s *store.Store, rng *rand.Rand) {
	ctx := context.Background()
	for rest := l.entries; len(rest) > 0; {
		k := min(len(rest), 1+rng.IntN(60))
		if err := s.AppendAudit(ctx, rest[:k]...); err != nil {
			t.Fatal(err)
		}
		rest = rest[k:]
	}
}

// want is ListAudit's answer by brute force.
func (l *auditLog) want(f registry.AuditFilter) []registry.AuditEntry {
	all := slices.Clone(l.entries)
	slices.SortFunc(all, func(a, b registry.AuditEntry) int { return cmp.Compare(b.ID, a.ID) })
	out := []registry.AuditEntry{}
	for i := range all {
		if f.Match(&all[i]) && len(out) < cmp.Or(f.Limit, registry.DefaultLimit) {
			out = append(out, all[i])
		}
	}
	return out
}

// ListAudit must answer as a brute-force filter of the whole log sorted
// by ID would, for filters of every field, alone and together, every
// level of region, and limits below and above the number of matches. On
// the embedded server this checks the SQLite indexes' answer; with 700
// entries some bounds (Since, a city's or a province's region) hold more
// entries than FindIDs counts in their index (500) and some fewer, so both
// of its ways with bounds are checked.
func TestListAuditMatchesBruteForce(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	s := storetest.New(t)
	l := newAuditLog(t, rng, 700)
	l.append(t, s, rng)

	ms := func(n int) time.Time { return l.start.Add(time.Duration(n) * time.Millisecond) }
	since := []time.Time{{}, ms(0), ms(300_000), ms(599_000), ms(700_000), l.entries[10].Time}
	if storetest.Embedded() {
		// Between two milliseconds. The find on MongoDB compares whole
		// milliseconds and leaves the rest to Match after its limit, so
		// it can answer short there.
		since = append(since, l.entries[20].Time.Add(-time.Microsecond), l.entries[20].Time.Add(500*time.Microsecond))
	}
	roles := append([]registry.Role{""}, registry.Roles...)
	usccs := append([]string{""}, l.usccs[:5]...)
	actions := append([]string{"", "no.such"}, l.actions...)
	regions := []string{"", "430000", "431200", "431202", "431281", "430100", "440000", "440305", "450000", "000000", "4312", "43120A"}
	limits := []int{0, 1, 3, 20, 50, 1000}

	filters := []registry.AuditFilter{
		{},
		{Limit: 1000},
		{USCC: l.usccs[0], Action: "whitelist.lookup"},
		{USCC: l.usccs[0], Action: "whitelist.lookup", Since: ms(300_000), Limit: 5},
		{RegionCode: "431200", Role: registry.RoleStaff, Limit: 1000},
		{RegionCode: "431202", Action: "firm.update", Role: registry.RoleAdmin},
	}
	for _, r := range regions {
		for _, lim := range limits {
			filters = append(filters, registry.AuditFilter{RegionCode: r, Limit: lim})
		}
	}
	pick := func(n int) int { // mostly the empty choice
		if rng.IntN(2) == 0 {
			return 0
		}
		return rng.IntN(n)
	}
	for range 250 {
		filters = append(filters, registry.AuditFilter{
			Role: roles[pick(len(roles))], USCC: usccs[pick(len(usccs))], Action: actions[pick(len(actions))],
			Since: since[pick(len(since))], RegionCode: regions[pick(len(regions))], Limit: limits[rng.IntN(len(limits))],
		})
	}
	nonEmpty := 0
	for _, f := range filters {
		got, err := s.ListAudit(ctx, f)
		if err != nil {
			t.Fatalf("ListAudit(%+v): %v", f, err)
		}
		want := l.want(f)
		if diff := gocmp.Diff(want, got); diff != "" {
			t.Errorf("ListAudit(%+v) (-want +got):\n%s", f, diff)
		}
		if len(want) > 0 {
			nonEmpty++
		}
	}
	// The filters must not all miss.
	if nonEmpty < len(filters)/3 {
		t.Errorf("%d of %d filters match entries; want the log to answer most", nonEmpty, len(filters))
	}
}
