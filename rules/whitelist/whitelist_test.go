package whitelist_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/registry/store"
	"github.com/peiyu/peiyu/registry/storetest"
	"github.com/peiyu/peiyu/rules"
	"github.com/peiyu/peiyu/rules/whitelist"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// testPack lists firms holding a provincial-or-higher 专精特新 title, or
// with main revenue of at least ¥50,000,000: enough to drive publication
// without depending on the real pack's scoring.
const testPack = `id: finance-whitelist
edition: test
name: {zh: 测试白名单, en: Test whitelist}
effective: {from: "2020-01-01"}
basis: [测试]
parameters:
  min_revenue: {value: 50000000, unit: yuan, source: engine-default, basis: 测试}
criteria:
  - id: credit-report
    title: 征信无不良记录（企业声明，主管部门确认）
    kind: review
    basis: 测试
  - id: r2-chain
    title: 产业链骨干企业（待确认）
    kind: direct
    route: direct:r2
    basis: 测试
    expr: in_chain("竹业")
    if_false: review
  - id: r3-title
    title: 省级以上专精特新
    kind: direct
    route: direct:r3
    basis: 测试
    expr: holds("specialized_sme", "provincial")
  - id: r4-revenue
    title: 主营业务收入不低于5000万元
    kind: direct
    route: direct:r4
    basis: 测试
    expr: main_revenue_prev >= min_revenue
`

var asOf = time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)

func engine(t *testing.T) *rules.Holder {
	t.Helper()
	p, err := rules.ParsePack("test.yaml", []byte(testPack))
	if err != nil {
		t.Fatal(err)
	}
	eng, err := rules.New([]*rules.Pack{p})
	if err != nil {
		t.Fatal(err)
	}
	return rules.NewHolder(eng)
}

func code(serial int) string {
	body := fmt.Sprintf("91431202MA%07d", serial)
	c, _ := registry.USCCCheckChar(body)
	return body + string(c)
}

func firm(serial int, revenue int64, titled bool) registry.Firm {
	f := registry.Firm{USCC: code(serial), Name: fmt.Sprintf("测试企业%d", serial), RegionCode: "431202", IndustryCode: "C3562",
		Years: []registry.Year{{Year: 2025, Revenue: &revenue, MainRevenue: &revenue}}}
	if titled {
		f.Honors = []registry.Honor{{Kind: "specialized_sme", Level: "provincial", Issued: "2025-01-01", Expires: "2027-12-31"}}
	}
	return f
}

func setup(t *testing.T, firms ...registry.Firm) (*store.Store, *whitelist.Service) {
	t.Helper()
	st := storetest.New(t)
	for _, f := range firms {
		if _, err := st.CreateFirm(context.Background(), f); err != nil {
			t.Fatal(err)
		}
	}
	svc := whitelist.New(st, engine(t), whitelist.Config{})
	if err := svc.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st, svc
}

func TestPublishLookupChanges(t *testing.T) {
	ctx := context.Background()
	st, svc := setup(t,
		firm(1, 60_000_000, false), // r4
		firm(2, 10_000_000, true),  // r3
		firm(3, 10_000_000, false), // not listed
		firm(4, 80_000_000, true),  // both routes
	)
	if a, err := svc.Lookup(code(1)); err != nil || a.Listed || a.Version != 0 {
		t.Fatalf("before any version: %+v, %v", a, err)
	}
	v1, err := svc.Publish(ctx, "clerk", asOf)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{code(1), code(2), code(4)}, v1.Added); diff != "" || v1.Version != 1 || v1.Count != 3 || len(v1.Removed) != 0 {
		t.Errorf("v1 = %+v; added (-want +got):\n%s", v1, diff)
	}

	keys, _ := svc.PublicKeys()
	a, err := svc.Lookup(code(2))
	if err != nil {
		t.Fatal(err)
	}
	if !a.Listed || a.Version != 1 || a.EntryRoute == nil || *a.EntryRoute != "direct:r3" || len(a.Titles) != 1 || a.Titles[0].Kind != "specialized_sme" {
		t.Errorf("lookup listed = %+v", a)
	}
	body, err := whitelist.Verify(a.Receipt, keys)
	if err != nil || !body.Listed || body.USCC != code(2) || body.Version != 1 {
		t.Errorf("receipt = %+v, %v", body, err)
	}
	if a, _ := svc.Lookup(code(3)); a.Listed {
		t.Errorf("firm 3 listed: %+v", a)
	} else if body, err := whitelist.Verify(a.Receipt, keys); err != nil || body.Listed {
		t.Errorf("a not-listed answer is signed too: %+v, %v", body, err)
	}

	// Firm 1 shrinks, firm 3 gains a title: version 2 swaps them.
	f1 := firm(1, 40_000_000, false)
	if _, err := st.ReplaceFirm(ctx, f1, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ReplaceFirm(ctx, firm(3, 10_000_000, true), 0); err != nil {
		t.Fatal(err)
	}
	v2, err := svc.Publish(ctx, "clerk", asOf)
	if err != nil {
		t.Fatal(err)
	}
	if v2.Version != 2 || !cmp.Equal(v2.Added, []string{code(3)}) || !cmp.Equal(v2.Removed, []string{code(1)}) {
		t.Errorf("v2 = %+v", v2)
	}
	ch, err := svc.ChangesSince(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(ch.Added) != 1 || ch.Added[0].USCC != code(3) || len(ch.Removed) != 1 || ch.Removed[0].USCC != code(1) || ch.From != 1 || ch.To != 2 {
		t.Errorf("changes since 1 = %+v", ch)
	}
	if ch, _ := svc.ChangesSince(ctx, 0); len(ch.Added) != 3 || len(ch.Removed) != 0 {
		t.Errorf("changes since 0 = %+v", ch)
	}
	if _, err := svc.ChangesSince(ctx, 3); !errors.Is(err, whitelist.ErrNoVersion) {
		t.Errorf("changes since a future version: %v", err)
	}
	// Versions are immutable; listed_since survives republication.
	old, entries, err := svc.Version(ctx, 1)
	if err != nil || old.Count != 3 || len(entries) != 3 || whitelist.HashEntries(entries) != old.Hash {
		t.Errorf("version 1 = %+v (%d entries), %v", old, len(entries), err)
	}
	a, _ = svc.Lookup(code(4))
	if a.ListedSince == nil || *a.ListedSince != v1.PublishedAt.Format(time.DateOnly) {
		t.Errorf("firm 4 listed since %v, want v1's date", a.ListedSince)
	}

	// A restarted service serves the same version with the same key.
	again := whitelist.New(st, engine(t), whitelist.Config{})
	if err := again.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if cur, _ := again.Current(); cur.Version != 2 {
		t.Errorf("after restart: version %d", cur.Version)
	}
	if k2, _ := again.PublicKeys(); len(k2) != 1 || k2[0].KeyID != keys[0].KeyID {
		t.Errorf("keys after restart = %+v, want the same single key", k2)
	}
}

func TestReceiptTamperingAndRotation(t *testing.T) {
	ctx := context.Background()
	_, svc := setup(t, firm(1, 10_000_000, false))
	if _, err := svc.Publish(ctx, "clerk", asOf); err != nil {
		t.Fatal(err)
	}
	a, _ := svc.Lookup(code(1))
	keys, _ := svc.PublicKeys()

	forged := a.Receipt
	forged.Signed = strings.Replace(forged.Signed, `"listed":false`, `"listed":true`, 1)
	if forged.Signed == a.Receipt.Signed {
		t.Fatalf("test did not change the receipt: %s", forged.Signed)
	}
	if _, err := whitelist.Verify(forged, keys); !errors.Is(err, whitelist.ErrBadSignature) {
		t.Errorf("tampered receipt: %v, want ErrBadSignature", err)
	}
	other := a.Receipt
	other.KeyID = "0000000000000000"
	if _, err := whitelist.Verify(other, keys); !errors.Is(err, whitelist.ErrUnknownKey) {
		t.Errorf("unknown key: %v, want ErrUnknownKey", err)
	}

	// Rotation: new receipts use the new key; old ones still verify.
	nk, err := svc.Rotate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := svc.Lookup(code(1))
	all, _ := svc.PublicKeys()
	if b.Receipt.KeyID != nk.KeyID || len(all) != 2 || !all[0].Current || all[1].Current || all[1].RetiredAt == nil {
		t.Errorf("after rotation: receipt key %s, keys %+v", b.Receipt.KeyID, all)
	}
	for _, r := range []whitelist.Receipt{a.Receipt, b.Receipt} {
		if _, err := whitelist.Verify(r, all); err != nil {
			t.Errorf("receipt by %s: %v", r.KeyID, err)
		}
	}
}

func TestConfiguredKeyAndConflicts(t *testing.T) {
	ctx := context.Background()
	st := storetest.New(t)
	seed := make([]byte, 32)
	for i := range seed {
		seed[i] = byte(i)
	}
	svc := whitelist.New(st, engine(t), whitelist.Config{Seed: seed})
	if err := svc.Load(ctx); err != nil {
		t.Fatal(err)
	}
	k, _ := whitelist.KeyFromSeed(seed, time.Now())
	if keys, _ := svc.PublicKeys(); keys[0].KeyID != k.ID {
		t.Errorf("current key %s, want the configured %s", keys[0].KeyID, k.ID)
	}
	// A version number is published once.
	v := registry.WhitelistVersion{List: whitelist.List, Version: 1, PublishedAt: time.Now()}
	if err := st.PublishWhitelist(ctx, v, nil); err != nil {
		t.Fatal(err)
	}
	if err := st.PublishWhitelist(ctx, v, nil); !errors.Is(err, registry.ErrConflict) {
		t.Errorf("second publish of version 1: %v, want ErrConflict", err)
	}
	// No program, no publication.
	empty, _ := rules.New(nil)
	if _, err := whitelist.New(st, rules.NewHolder(empty), whitelist.Config{}).Publish(ctx, "x", asOf); !errors.Is(err, whitelist.ErrNoProgram) {
		t.Errorf("publish without the program: %v", err)
	}
}

// headDown is the real store, but the database goes away just after a
// version's summary (the commit point) is written: advancing the head
// pointer fails.
type headDown struct{ *store.Store }

func (headDown) AdvanceWhitelistHead(context.Context, string, int) error {
	return fmt.Errorf("advance whitelist head: %w", registry.ErrUnavailable)
}

// The database stopped right after a publication committed its version,
// before the head pointer moved (api/faults_test.go
// TestFaultWhitelistPublishWhileStopping). The store reported the whole
// publication as failed: the API answered 503, and the publishing service
// kept serving the previous version although the new one was stored. The
// pointer is only a hint readers probe past: the version is published, is
// served at once, and the next one takes the next number.
func TestPublishSurvivesHeadPointerFailure(t *testing.T) {
	ctx := context.Background()
	st, _ := setup(t, firm(1, 60_000_000, false), firm(2, 10_000_000, true))
	svc := whitelist.New(headDown{st}, engine(t), whitelist.Config{})
	if err := svc.Load(ctx); err != nil {
		t.Fatal(err)
	}
	v1, err := svc.Publish(ctx, "clerk", asOf)
	if err != nil {
		t.Fatalf("publish with the head pointer failing: %v", err)
	}
	if cur, _ := svc.Current(); cur.Version != 1 || v1.Version != 1 || v1.Count != 2 {
		t.Errorf("published %+v, serving version %d; want version 1 of 2 entries served", v1, cur.Version)
	}
	if a, _ := svc.Lookup(code(2)); !a.Listed || a.Version != 1 {
		t.Errorf("lookup = %+v, want listed in version 1", a)
	}
	if n, err := st.LatestWhitelist(ctx, whitelist.List); err != nil || n != 1 {
		t.Errorf("latest stored = %d, %v; want 1 (found past the pointer)", n, err)
	}
	if v2, err := svc.Publish(ctx, "clerk", asOf); err != nil || v2.Version != 2 {
		t.Errorf("next publish = %+v, %v; want version 2", v2, err)
	}
	// Another replica finds both.
	other := whitelist.New(st, engine(t), whitelist.Config{})
	if err := other.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if cur, _ := other.Current(); cur.Version != 2 {
		t.Errorf("another replica serves version %d, want 2", cur.Version)
	}
}
