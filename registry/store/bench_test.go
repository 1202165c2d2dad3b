package store_test

import (
	"context"
	"testing"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/registry/storetest"
)

// BenchmarkInsertMissing measures bulk loading: one op is a batch of 500
// new firms.
func BenchmarkInsertMissing(b *testing.B) {
	ctx := context.Background()
	s := storetest.New(b)
	const batch = 500
	serial := 0
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		firms := make([]registry.Firm, batch)
		for i := range firms {
			serial++
			firms[i] = sampleFirm(b, serial)
		}
		b.StartTimer()
		if n, err := s.InsertMissing(ctx, firms); err != nil || n != batch {
			b.Fatalf("InsertMissing = %d, %v", n, err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "firms/s")
}

// BenchmarkScan measures reading every firm of a 10,000-firm registry
// through a cursor, decoded into the domain type: one op is a full scan.
func BenchmarkScan(b *testing.B) {
	ctx := context.Background()
	s := storetest.New(b)
	const n = 10_000
	for from := 0; from < n; from += 1000 {
		firms := make([]registry.Firm, 1000)
		for i := range firms {
			firms[i] = sampleFirm(b, from+i+1)
		}
		if _, err := s.InsertMissing(ctx, firms); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		seen := 0
		err := s.ScanFirms(ctx, registry.FirmFilter{}, func(r *registry.Record) error {
			seen++
			return nil
		})
		if err != nil || seen != n {
			b.Fatalf("scan saw %d firms, err %v", seen, err)
		}
	}
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "firms/s")
}
