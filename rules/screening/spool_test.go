package screening_test

import (
	"context"
	"reflect"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/registry/store"
	"github.com/peiyu/peiyu/rules/points"
	"github.com/peiyu/peiyu/rules/screening"
)

// countingStore is the real store, counting the registry scans made
// through it.
type countingStore struct {
	*store.Store
	scans atomic.Int32
}

func (c *countingStore) ScanFirms(ctx context.Context, f registry.FirmFilter, fn func(*registry.Record) error) error {
	c.scans.Add(1)
	return c.Store.ScanFirms(ctx, f, fn)
}

// TestScanModeReadsTheRegistryOnce: a scan-mode job with innovation points
// (whose pass 1 must see every firm before any is ranked) reads the
// registry once — pass 1 keeps the job's firms in a spool for the job's
// own pass — and its results are those of a chunk-mode job, which reads
// the firms again.
func TestScanModeReadsTheRegistryOnce(t *testing.T) {
	st := registryOf(t, 240)
	h := holder(t)
	run := func(scan bool, filter registry.ScreeningFilter) (map[string]registry.ScreenedFirm, int32) {
		t.Helper()
		cs := &countingStore{Store: st}
		pts := points.NewScreener(points.New(points.Default(), nil), cs, nil)
		r := screening.New(cs, h, screening.Config{ChunkSize: 100, ScanMode: scan, Lease: 5 * time.Second,
			Natives: []screening.Native{pts}})
		sc, err := r.Create(context.Background(), screening.Request{Programs: []string{"tech-sme", "innovation-points"},
			Filter: filter, AsOf: asOf, By: "test"}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Work(context.Background(), sc.ID); err != nil {
			t.Fatal(err)
		}
		return results(t, st, sc.ID), cs.scans.Load()
	}
	for _, tc := range []struct {
		name   string
		filter registry.ScreeningFilter
	}{
		{"whole registry", registry.ScreeningFilter{}},
		// Pass 1 scans the city (cohorts fall back to it); the spool keeps
		// only the county's firms of the chain.
		{"county and chain", registry.ScreeningFilter{RegionCode: "431202", Chain: "机械装备"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spooled, scans := run(true, tc.filter)
			if scans != 1 {
				t.Errorf("scan mode read the registry %d times, want 1", scans)
			}
			chunked, _ := run(false, tc.filter)
			want := 0
			err := st.ScanFirms(context.Background(), tc.filter.FirmFilter(), func(*registry.Record) error { want++; return nil })
			if err != nil {
				t.Fatal(err)
			}
			if want == 0 {
				t.Fatal("the filter selects no demo firm: pick another")
			}
			if len(spooled) != want || len(chunked) != want {
				t.Fatalf("results for %d (scan) and %d (chunks) firms, want %d", len(spooled), len(chunked), want)
			}
			for u, sf := range spooled {
				if !tc.filter.Matches(&registry.Firm{RegionCode: sf.RegionCode, Chain: sf.Chain}) {
					t.Errorf("%s (%s, %s) is outside the job's filter", u, sf.RegionCode, sf.Chain)
				}
				cf, ok := chunked[u]
				if !ok {
					t.Errorf("%s screened in scan mode only", u)
					continue
				}
				if len(sf.Results) != 2 || len(cf.Results) != 2 {
					t.Fatalf("%s: %d and %d results, want 2", u, len(sf.Results), len(cf.Results))
				}
				for i := range sf.Results {
					a, b := sf.Results[i], cf.Results[i]
					if a.Program != b.Program || a.Status != b.Status || fmtScore(a.Score) != fmtScore(b.Score) {
						t.Errorf("%s %s: scan mode %s %s, chunk mode %s %s", u, a.Program, a.Status, fmtScore(a.Score), b.Status, fmtScore(b.Score))
					} else if !reflect.DeepEqual(a, b) {
						// The packs' results of scan mode were evaluated
						// during pass 1 and kept in the spool: all of it,
						// failing criteria and gaps too, must survive.
						t.Errorf("%s %s: scan mode %+v, chunk mode %+v", u, a.Program, a, b)
					}
				}
			}
		})
	}
}

func fmtScore(p *float64) string {
	if p == nil {
		return "-"
	}
	return strconv.FormatFloat(*p, 'f', 6, 64)
}
