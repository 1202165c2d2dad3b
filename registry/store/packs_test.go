package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/registry/store"
	"github.com/peiyu/peiyu/registry/storetest"
)

var packClock = time.Date(2026, 6, 30, 9, 0, 0, 0, time.UTC)

func packStore(t *testing.T) *store.Store {
	t.Helper()
	now := packClock
	return storetest.New(t, store.Options{Now: func() time.Time { now = now.Add(time.Second); return now }})
}

func sampleDraft(program string) registry.PackDraft {
	return registry.PackDraft{Program: program, Edition: "2011", BaseRevision: 1, YAML: "id: " + program + "\n",
		Overrides: map[string]float64{"min_main_revenue": 15_000_000}, Note: "下调门槛", CreatedBy: "张三"}
}

func revisionOf(d *registry.PackDraft, by string) registry.PackRevision {
	return registry.PackRevision{Program: d.Program, Edition: d.Edition, Revision: d.BaseRevision + 1, YAML: d.YAML,
		Hash: "abc", DraftID: d.ID, Note: d.Note, PublishedBy: by, PublishedAt: packClock.Add(time.Hour)}
}

func TestDrafts(t *testing.T) {
	ctx := context.Background()
	s := packStore(t)
	a, err := s.CreateDraft(ctx, sampleDraft("above-size"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.CreateDraft(ctx, sampleDraft("above-size"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateDraft(ctx, sampleDraft("tech-sme")); err != nil {
		t.Fatal(err)
	}
	if a.ID == "" || a.ID == b.ID || a.Status != registry.DraftOpen || !a.CreatedAt.Equal(packClock.Add(time.Second)) {
		t.Errorf("created %+v", a)
	}
	got, err := s.GetDraft(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a, got); diff != "" {
		t.Errorf("GetDraft (-created +read):\n%s", diff)
	}
	list, err := s.ListDrafts(ctx, "above-size")
	if err != nil {
		t.Fatal(err)
	}
	wantB, wantA := *b, *a
	wantB.YAML, wantA.YAML = "", ""
	if diff := cmp.Diff([]registry.PackDraft{wantB, wantA}, list); diff != "" {
		t.Errorf("ListDrafts: newest first, without YAML (-want +got):\n%s", diff)
	}
	if _, err := s.GetDraft(ctx, "no-such-draft"); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("GetDraft of nothing: %v, want ErrNotFound", err)
	}
	if _, err := s.CreateDraft(ctx, registry.PackDraft{Program: "above-size"}); !errors.Is(err, registry.ErrInvalid) {
		t.Errorf("CreateDraft without edition and YAML: %v, want ErrInvalid", err)
	}
}

func TestPublishDraft(t *testing.T) {
	ctx := context.Background()
	s := packStore(t)
	d, err := s.CreateDraft(ctx, sampleDraft("above-size"))
	if err != nil {
		t.Fatal(err)
	}
	rev, err := s.PublishDraft(ctx, revisionOf(d, "李四"))
	if err != nil {
		t.Fatal(err)
	}
	want := revisionOf(d, "李四")
	if diff := cmp.Diff(&want, rev); diff != "" {
		t.Errorf("PublishDraft (-want +got):\n%s", diff)
	}
	got, err := s.GetDraft(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	at := want.PublishedAt
	if got.Status != registry.DraftPublished || got.PublishedRevision != 2 || got.PublishedBy != "李四" || got.PublishedAt == nil || !got.PublishedAt.Equal(at) {
		t.Errorf("draft after publish: %+v", got)
	}
	stored, err := s.GetRevision(ctx, "above-size", "2011", 2)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&want, stored); diff != "" {
		t.Errorf("GetRevision (-want +got):\n%s", diff)
	}

	// Publishing the same draft again (a retry after a crash between the
	// two writes, or a second click) keeps the first revision as stored.
	again := revisionOf(d, "王五")
	again.PublishedAt = at.Add(time.Hour)
	rev, err = s.PublishDraft(ctx, again)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&want, rev); diff != "" {
		t.Errorf("second PublishDraft (-first +got):\n%s", diff)
	}

	// A draft made from the same base revision was overtaken: conflict,
	// and it stays a draft.
	other, err := s.CreateDraft(ctx, sampleDraft("above-size"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.PublishDraft(ctx, revisionOf(other, "李四")); !errors.Is(err, registry.ErrConflict) {
		t.Errorf("overtaken draft: %v, want ErrConflict", err)
	}
	if got, _ := s.GetDraft(ctx, other.ID); got.Status != registry.DraftOpen {
		t.Errorf("overtaken draft status = %s, want draft", got.Status)
	}

	if _, err := s.PublishDraft(ctx, registry.PackRevision{Program: "above-size", Edition: "2011", Revision: 3, YAML: "id: x\n",
		DraftID: "missing-draft", PublishedBy: "x", PublishedAt: at}); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("publish of a draft that does not exist: %v, want ErrNotFound", err)
	}
	if _, err := s.GetRevision(ctx, "above-size", "2011", 3); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("a publish of no draft stored revision 3: %v", err)
	}
	wrong := revisionOf(other, "李四")
	wrong.Edition = "2027"
	if _, err := s.PublishDraft(ctx, wrong); !errors.Is(err, registry.ErrInvalid) {
		t.Errorf("revision of another edition than the draft's: %v, want ErrInvalid", err)
	}
	if _, err := s.PublishDraft(ctx, registry.PackRevision{Program: "above-size"}); !errors.Is(err, registry.ErrInvalid) {
		t.Errorf("invalid revision: %v, want ErrInvalid", err)
	}
}

// TestPublishDraftResumes: a publish that stopped after storing the
// revision completes when retried.
func TestPublishDraftResumes(t *testing.T) {
	ctx := context.Background()
	s := packStore(t)
	d, err := s.CreateDraft(ctx, sampleDraft("above-size"))
	if err != nil {
		t.Fatal(err)
	}
	first := revisionOf(d, "李四")
	// Step 1 only, as a crash would leave it.
	_, err = s.Database().Collection("pack_revisions").InsertOne(ctx, bson.D{
		{Key: "_id", Value: first.ID()}, {Key: "program", Value: first.Program}, {Key: "edition", Value: first.Edition},
		{Key: "revision", Value: first.Revision}, {Key: "yaml", Value: first.YAML}, {Key: "hash", Value: first.Hash},
		{Key: "draft_id", Value: first.DraftID}, {Key: "note", Value: first.Note},
		{Key: "published_by", Value: first.PublishedBy}, {Key: "published_at", Value: first.PublishedAt},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := s.GetDraft(ctx, d.ID); got.Status != registry.DraftOpen {
		t.Fatalf("draft status = %s before the retry", got.Status)
	}
	retry := revisionOf(d, "王五")
	retry.PublishedAt = first.PublishedAt.Add(time.Hour)
	rev, err := s.PublishDraft(ctx, retry)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&first, rev); diff != "" {
		t.Errorf("resumed publish keeps the stored revision (-want +got):\n%s", diff)
	}
	got, err := s.GetDraft(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != registry.DraftPublished || got.PublishedRevision != 2 || got.PublishedBy != "李四" {
		t.Errorf("draft after the retry: %+v", got)
	}
}

func TestRevisionListings(t *testing.T) {
	ctx := context.Background()
	s := packStore(t)
	publish := func(program, edition string, n int) registry.PackRevision {
		t.Helper()
		d, err := s.CreateDraft(ctx, registry.PackDraft{Program: program, Edition: edition, BaseRevision: n - 1, YAML: "id: " + program})
		if err != nil {
			t.Fatal(err)
		}
		r := revisionOf(d, "张三")
		r.PublishedAt = packClock.Add(time.Duration(n) * time.Minute)
		rev, err := s.PublishDraft(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		rev.YAML = ""
		return *rev
	}
	a2 := publish("above-size", "2011", 2)
	a3 := publish("above-size", "2011", 3)
	l2 := publish("little-giant", "2026", 2)
	n1 := publish("above-size", "2027", 1)

	list, err := s.ListRevisions(ctx, "above-size")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]registry.PackRevision{a3, a2, n1}, list); diff != "" {
		t.Errorf("ListRevisions: newest first, without YAML (-want +got):\n%s", diff)
	}
	latest, err := s.LatestRevisions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]registry.PackRevision{a3, n1, l2}, latest); diff != "" {
		t.Errorf("LatestRevisions (-want +got):\n%s", diff)
	}
	if _, err := s.GetRevision(ctx, "above-size", "2011", 9); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("GetRevision of nothing: %v, want ErrNotFound", err)
	}
}
