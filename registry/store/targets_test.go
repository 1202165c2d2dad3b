package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/registry/storetest"
)

func sampleTargets() []registry.Target {
	src := registry.TargetSource{Document: "000_0e85125c4322f1fb.txt", Quote: "规模以上高新技术企业数量达412家"}
	return []registry.Target{
		{ID: "431200-2026-hnte", RegionCode: "431200", RegionName: "怀化市", Year: 2026, Title: "规模以上高新技术企业数量达412家",
			Metric: registry.Metric{Kind: registry.MetricHonorCount, Honors: []string{"hnte"}, AboveSize: true, Program: "hnte"},
			Goal:   412, Comparison: registry.CompareAtLeast, Source: src},
		{ID: "431202-2024-rd", RegionCode: "431202", RegionName: "鹤城区", Year: 2024, Title: "研发经费投入增长12%以上",
			Metric: registry.Metric{Kind: registry.MetricGrowth, Field: "rd_expense"},
			Goal:   12, Comparison: registry.CompareAtLeast, Source: src},
		{ID: "431200-2025-rd", RegionCode: "431200", Year: 2025, Title: "研发经费投入增长6%以上",
			Metric: registry.Metric{Kind: registry.MetricGrowth, Field: "rd_expense"},
			Goal:   6, Comparison: registry.CompareAbout, Source: src},
	}
}

func TestLoadTargets(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	seed := sampleTargets()
	for i, want := range []int{3, 0} {
		ins, upd, err := s.LoadTargets(ctx, seed)
		if err != nil || ins != want || upd != 0 {
			t.Fatalf("LoadTargets #%d = %d, %d, %v; want %d, 0, nil", i+1, ins, upd, err, want)
		}
	}
	got, err := s.ListTargets(ctx, registry.TargetFilter{})
	if err != nil {
		t.Fatal(err)
	}
	// Region first, then year, then the seed order.
	want := []registry.Target{seed[2], seed[0], seed[1]}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ListTargets mismatch (-want +got):\n%s", diff)
	}

	// A newer seed replaces a target nobody edited.
	next := sampleTargets()
	next[0].Goal = 420
	ins, upd, err := s.LoadTargets(ctx, next)
	if err != nil || ins != 0 || upd != 1 {
		t.Fatalf("LoadTargets(changed seed) = %d, %d, %v; want 0, 1, nil", ins, upd, err)
	}
	// An edit made in the database since is kept when the seed changes.
	edited := next[1]
	edited.Goal = 15
	if _, err := s.Database().Collection("targets").UpdateOne(ctx,
		map[string]any{"_id": edited.ID}, map[string]any{"$set": map[string]any{"goal": 15.0}}); err != nil {
		t.Fatal(err)
	}
	again := sampleTargets()
	again[1].Title = "研发经费投入增长12%以上（修订）"
	if ins, upd, err := s.LoadTargets(ctx, again); err != nil || ins != 0 || upd != 1 {
		t.Fatalf("LoadTargets(after edit) = %d, %d, %v; want 0, 1 (the unedited first target back to 412), nil", ins, upd, err)
	}
	got, err = s.ListTargets(ctx, registry.TargetFilter{})
	if err != nil {
		t.Fatal(err)
	}
	want = []registry.Target{again[2], again[0], edited}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("after the edit (-want +got):\n%s", diff)
	}
}

func TestLoadTargetsInvalid(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	ts := sampleTargets()
	ts[1].Metric.Field = "profit"
	_, _, err := s.LoadTargets(ctx, ts)
	var ve *registry.ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) != 1 || ve.Problems[0].Field != "metric.field" {
		t.Fatalf("LoadTargets(bad field) = %v, want a validation error on metric.field", err)
	}
	// Nothing was written, not even the valid first target.
	got, err := s.ListTargets(ctx, registry.TargetFilter{})
	if err != nil || len(got) != 0 {
		t.Fatalf("ListTargets = %v, %v; want none", got, err)
	}
}

func TestListTargetsFilter(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	if _, _, err := s.LoadTargets(ctx, sampleTargets()); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		filter registry.TargetFilter
		want   []string
	}{
		{registry.TargetFilter{}, []string{"431200-2025-rd", "431200-2026-hnte", "431202-2024-rd"}},
		// A city covers its counties.
		{registry.TargetFilter{RegionCode: "431200"}, []string{"431200-2025-rd", "431200-2026-hnte", "431202-2024-rd"}},
		{registry.TargetFilter{RegionCode: "430000"}, []string{"431200-2025-rd", "431200-2026-hnte", "431202-2024-rd"}},
		{registry.TargetFilter{RegionCode: "431202"}, []string{"431202-2024-rd"}},
		{registry.TargetFilter{RegionCode: "431221"}, nil},
		{registry.TargetFilter{Year: 2026}, []string{"431200-2026-hnte"}},
		{registry.TargetFilter{RegionCode: "431200", Year: 2024}, []string{"431202-2024-rd"}},
	}
	for _, tt := range tests {
		got, err := s.ListTargets(ctx, tt.filter)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, g := range got {
			ids = append(ids, g.ID)
		}
		if diff := cmp.Diff(tt.want, ids); diff != "" {
			t.Errorf("ListTargets(%+v) mismatch (-want +got):\n%s", tt.filter, diff)
		}
	}
}

func TestSnapshots(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	target := sampleTargets()[0]
	item := func(actual float64) registry.TargetProgress {
		on := false
		return registry.TargetProgress{Target: target, Unit: "firms", AsOf: "2026-10-31", DataYear: 2025,
			Actual: &actual, Pipeline: ptr(48), NearMiss: ptr(52), OnTrack: &on, Status: registry.TargetBehind, Reason: "未达到目标"}
	}
	taken := time.Date(2026, 10, 31, 9, 30, 0, 123456789, time.FixedZone("CST", 8*3600))
	first := registry.Snapshot{RegionCode: "431200", Year: 2026, AsOf: "2026-10-31", TakenAt: taken,
		Items: []registry.TargetProgress{item(80)}}
	saved, err := s.SaveSnapshot(ctx, first)
	if err != nil {
		t.Fatalf("SaveSnapshot: %v", err)
	}
	want := first
	want.ID = "431200-2026-20261031T013000.123Z"
	want.TakenAt = time.Date(2026, 10, 31, 1, 30, 0, 123000000, time.UTC)
	if diff := cmp.Diff(&want, saved); diff != "" {
		t.Errorf("SaveSnapshot mismatch (-want +got):\n%s", diff)
	}
	// Immutable: the same region, year and instant again is a conflict.
	if _, err := s.SaveSnapshot(ctx, first); !errors.Is(err, registry.ErrConflict) {
		t.Errorf("SaveSnapshot(again) = %v, want ErrConflict", err)
	}
	second := first
	second.TakenAt = taken.AddDate(0, 1, 0)
	second.AsOf = "2026-11-30"
	second.Items = []registry.TargetProgress{item(83)}
	saved2, err := s.SaveSnapshot(ctx, second)
	if err != nil {
		t.Fatal(err)
	}
	other := first
	other.RegionCode = "431202"
	if _, err := s.SaveSnapshot(ctx, other); err != nil {
		t.Fatal(err)
	}
	got, err := s.ListSnapshots(ctx, registry.SnapshotFilter{RegionCode: "431200", Year: 2026})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]registry.Snapshot{*saved2, want}, got); diff != "" {
		t.Errorf("ListSnapshots mismatch, newest first (-want +got):\n%s", diff)
	}
	for _, f := range []registry.SnapshotFilter{{RegionCode: "431200", Year: 2025}, {RegionCode: "431221"}} {
		if got, err := s.ListSnapshots(ctx, f); err != nil || len(got) != 0 {
			t.Errorf("ListSnapshots(%+v) = %d snapshots, %v; want none", f, len(got), err)
		}
	}
	if all, err := s.ListSnapshots(ctx, registry.SnapshotFilter{}); err != nil || len(all) != 3 {
		t.Errorf("ListSnapshots(all) = %d snapshots, %v; want 3", len(all), err)
	}

	bad := first
	bad.Items = nil
	bad.Year = 1999
	var ve *registry.ValidationError
	if _, err := s.SaveSnapshot(ctx, bad); !errors.As(err, &ve) || len(ve.Problems) != 2 {
		t.Errorf("SaveSnapshot(bad) = %v, want problems with year and items", err)
	}
}
