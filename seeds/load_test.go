package seeds_test

import (
	"context"
	"errors"
	"testing"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/registry/storetest"
	"github.com/peiyu/peiyu/seeds"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func TestLoad(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	n, err := seeds.Load(ctx, s, 300, 1)
	if err != nil || n != 300 {
		t.Fatalf("first Load = %d, %v; want 300, nil", n, err)
	}
	n, err = seeds.Load(ctx, s, 300, 1)
	if err != nil || n != 0 {
		t.Fatalf("second Load = %d, %v; want 0, nil", n, err)
	}
	count, err := s.CountFirms(ctx)
	if err != nil || count != 300 {
		t.Fatalf("CountFirms = %d, %v; want 300", count, err)
	}
	// A larger load adds only the firms beyond the prefix already there.
	n, err = seeds.Load(ctx, s, 320, 1)
	if err != nil || n != 20 {
		t.Fatalf("Load(320) after Load(300) = %d, %v; want 20, nil", n, err)
	}
	want := seeds.Generate(1, 1)[0]
	rec, err := s.GetFirm(ctx, want.USCC)
	if err != nil || rec.Firm.Name != want.Name {
		t.Fatalf("GetFirm(%s) = %v, %v; want %s", want.USCC, rec, err, want.Name)
	}
}

// fakeLoader records batch sizes and fails on demand.
type fakeLoader struct {
	batches []int
	failAt  int
}

func (l *fakeLoader) InsertMissing(_ context.Context, firms []registry.Firm) (int, error) {
	l.batches = append(l.batches, len(firms))
	if len(l.batches) == l.failAt {
		return 0, registry.ErrUnavailable
	}
	return len(firms), nil
}

func TestLoadBatches(t *testing.T) {
	l := &fakeLoader{}
	n, err := seeds.Load(context.Background(), l, 1234, 9)
	if err != nil || n != 1234 {
		t.Fatalf("Load = %d, %v; want 1234, nil", n, err)
	}
	if want := []int{500, 500, 234}; !equalInts(l.batches, want) {
		t.Errorf("batches = %v, want %v", l.batches, want)
	}

	l = &fakeLoader{failAt: 2}
	n, err = seeds.Load(context.Background(), l, 1234, 9)
	if !errors.Is(err, registry.ErrUnavailable) || n != 500 {
		t.Errorf("Load with a failing second batch = %d, %v; want 500, ErrUnavailable", n, err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	l = &fakeLoader{}
	if _, err := seeds.Load(ctx, l, 10, 9); !errors.Is(err, context.Canceled) || len(l.batches) != 0 {
		t.Errorf("Load on a cancelled context = %v after %d batches; want context.Canceled, 0", err, len(l.batches))
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
