// Package whitelist publishes the manufacturing industry–finance whitelist
// (产融合作"白名单") and answers banks from it.
//
// Publishing screens the registry with the finance-whitelist program and
// stores an immutable, numbered version: every firm the program finds
// eligible, with its tier, entry route and titles — what banks may see,
// never raw figures. Banks are answered from the latest version held in
// memory (refreshed on publish, and polled so replicas converge), and every
// answer carries a receipt signed with the service's Ed25519 key that a
// bank can verify offline.
package whitelist

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/rules"
)

// List is the whitelist's name; Program the rule pack that decides it.
const (
	List    = "finance-whitelist"
	Program = "finance-whitelist"
)

// MaxEntries bounds one version: its entries are one database document.
const MaxEntries = 30000

// Store is what the service needs of the registry; *store.Store
// implements it. Methods return registry error kinds.
type Store interface {
	LatestWhitelist(ctx context.Context, list string) (int, error)
	WhitelistVersion(ctx context.Context, list string, v int) (registry.WhitelistVersion, []registry.WhitelistEntry, error)
	WhitelistVersions(ctx context.Context, list string, from, to int) ([]registry.WhitelistVersion, error)
	PublishWhitelist(ctx context.Context, v registry.WhitelistVersion, entries []registry.WhitelistEntry) error
	AdvanceWhitelistHead(ctx context.Context, list string, v int) error
	ReceiptKeys(ctx context.Context) ([]registry.ReceiptKey, error)
	AddReceiptKey(ctx context.Context, k registry.ReceiptKey) error
	ScanFirms(ctx context.Context, f registry.FirmFilter, fn func(*registry.Record) error) error
}

// Config configures a Service.
type Config struct {
	// Seed, when set, is the Ed25519 seed of the signing key (from
	// configuration); otherwise the key is generated on first start and
	// kept in the database.
	Seed   []byte
	Now    func() time.Time
	Logger *slog.Logger
}

// Service publishes versions and answers lookups.
type Service struct {
	store  Store
	rules  *rules.Holder
	cfg    Config
	pubMu  sync.Mutex
	latest atomic.Pointer[snapshot]
	signer atomic.Pointer[Signer]
}

type snapshot struct {
	version registry.WhitelistVersion
	entries []registry.WhitelistEntry
	byUSCC  map[string]*registry.WhitelistEntry
}

// New returns a service; call Load before answering.
func New(st Store, h *rules.Holder, cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{store: st, rules: h, cfg: cfg}
}

// Errors of the service besides the store's kinds.
var (
	ErrNoProgram = errors.New("whitelist: the finance-whitelist program is not loaded")
	ErrNotReady  = errors.New("whitelist: not loaded yet")
	ErrTooLarge  = errors.New("whitelist: too many entries for one version")
)

// Load reads the signing keys (creating the first, or registering the
// configured one) and the latest published version.
// Errors: registry.ErrUnavailable.
func (s *Service) Load(ctx context.Context) error {
	keys, err := s.store.ReceiptKeys(ctx)
	if err != nil {
		return err
	}
	var want *registry.ReceiptKey
	if len(s.cfg.Seed) > 0 {
		k, err := KeyFromSeed(s.cfg.Seed, s.cfg.Now())
		if err != nil {
			return err
		}
		want = &k
		if len(keys) > 0 && keys[0].ID == k.ID {
			want = nil // already current
		}
	} else if len(keys) == 0 {
		k, err := NewKey(s.cfg.Now())
		if err != nil {
			return err
		}
		want = &k
	}
	if want != nil {
		if err := s.store.AddReceiptKey(ctx, *want); err != nil && !errors.Is(err, registry.ErrConflict) {
			return err
		}
		if keys, err = s.store.ReceiptKeys(ctx); err != nil {
			return err
		}
	}
	sg, err := NewSigner(keys)
	if err != nil {
		return err
	}
	s.signer.Store(sg)
	return s.Refresh(ctx)
}

// Refresh loads the latest version if it is newer than the one held.
// Errors: registry.ErrUnavailable.
func (s *Service) Refresh(ctx context.Context) error {
	v, err := s.store.LatestWhitelist(ctx, List)
	if err != nil {
		return err
	}
	if cur := s.latest.Load(); cur != nil && cur.version.Version >= v {
		return nil
	}
	if v == 0 {
		s.latest.Store(&snapshot{version: registry.WhitelistVersion{List: List}, byUSCC: map[string]*registry.WhitelistEntry{}})
		return nil
	}
	ver, entries, err := s.store.WhitelistVersion(ctx, List, v)
	if err != nil {
		return err
	}
	s.latest.Store(newSnapshot(ver, entries))
	return nil
}

func newSnapshot(v registry.WhitelistVersion, entries []registry.WhitelistEntry) *snapshot {
	sn := &snapshot{version: v, entries: entries, byUSCC: make(map[string]*registry.WhitelistEntry, len(entries))}
	for i := range entries {
		sn.byUSCC[entries[i].USCC] = &entries[i]
	}
	return sn
}

// Watch refreshes every interval until ctx ends, so a version another
// replica publishes is served here too.
func (s *Service) Watch(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if s.signer.Load() == nil {
				if err := s.Load(ctx); err != nil && ctx.Err() == nil {
					s.cfg.Logger.Warn("whitelist: load", "error", err)
				}
				continue
			}
			if err := s.Refresh(ctx); err != nil && ctx.Err() == nil {
				s.cfg.Logger.Warn("whitelist: refresh", "error", err)
			}
		}
	}
}

// Publish screens the registry with the program in force at asOf and
// stores the next version. Errors: ErrNoProgram, ErrTooLarge,
// registry.ErrConflict (another publisher took the number),
// registry.ErrUnavailable.
func (s *Service) Publish(ctx context.Context, by string, asOf time.Time) (registry.WhitelistVersion, error) {
	s.pubMu.Lock()
	defer s.pubMu.Unlock()
	prog := s.rules.Load().InForce(Program, asOf)
	if prog == nil {
		return registry.WhitelistVersion{}, ErrNoProgram
	}
	latest, err := s.store.LatestWhitelist(ctx, List)
	if err != nil {
		return registry.WhitelistVersion{}, err
	}
	prev := map[string]registry.WhitelistEntry{}
	if latest > 0 {
		_, entries, err := s.store.WhitelistVersion(ctx, List, latest)
		if err != nil {
			return registry.WhitelistVersion{}, err
		}
		for _, e := range entries {
			prev[e.USCC] = e
		}
	}
	now := s.cfg.Now().UTC()
	next := latest + 1
	day := asOf.Format(time.DateOnly)
	var entries []registry.WhitelistEntry
	err = s.store.ScanFirms(ctx, registry.FirmFilter{}, func(rec *registry.Record) error {
		f := &rec.Firm
		r := prog.Evaluate(rules.NewEnv(f, asOf), rules.Options{})
		if !Listable(&r) {
			return nil
		}
		if len(entries) >= MaxEntries {
			return ErrTooLarge
		}
		e := registry.WhitelistEntry{USCC: f.USCC, Name: f.Name, RegionCode: f.RegionCode, Chain: f.Chain,
			Industry: f.IndustryCode, Tier: r.Tier, Titles: titles(f, asOf), LastReviewedAsOf: day,
			ListedSince: next, ListedSinceDate: now.Format(time.DateOnly)}
		if r.Route != nil {
			e.EntryRoute = *r.Route
		}
		if p, ok := prev[f.USCC]; ok {
			e.ListedSince, e.ListedSinceDate = p.ListedSince, p.ListedSinceDate
		}
		entries = append(entries, e)
		return nil
	})
	if err != nil {
		return registry.WhitelistVersion{}, err
	}
	slices.SortFunc(entries, func(a, b registry.WhitelistEntry) int { return cmpString(a.USCC, b.USCC) })
	v := registry.WhitelistVersion{List: List, Version: next, Program: prog.Key(), AsOf: day, PublishedAt: now,
		PublishedBy: by, Count: len(entries), Added: []string{}, Removed: []string{}}
	in := map[string]bool{}
	for _, e := range entries {
		in[e.USCC] = true
		if _, ok := prev[e.USCC]; !ok {
			v.Added = append(v.Added, e.USCC)
		}
	}
	for u := range prev {
		if !in[u] {
			v.Removed = append(v.Removed, u)
		}
	}
	slices.Sort(v.Removed)
	v.Hash = HashEntries(entries)
	if err := s.store.PublishWhitelist(ctx, v, entries); err != nil {
		return registry.WhitelistVersion{}, err
	}
	// The version is published. The head pointer only spares readers
	// probing forward (they find the version without it), so failing to
	// advance it — the database gone just after the commit — is logged,
	// and the version is served and reported as published.
	if err := s.store.AdvanceWhitelistHead(ctx, List, v.Version); err != nil {
		s.cfg.Logger.Warn("whitelist: advance the head pointer; readers probe past it", "version", v.Version, "error", err)
	}
	if entries == nil {
		entries = []registry.WhitelistEntry{}
	}
	s.latest.Store(newSnapshot(v, entries))
	return v, nil
}

// Listable reports whether a firm's result puts it on the list: eligible,
// or needing review only for the gate declarations the profile cannot carry
// (credit report, receivables) while its entry route passed on the data.
// Publishing is the staff's confirmation of those declarations; a route
// that itself awaits confirmation (a chain role staff must attest) does
// not list the firm until it is confirmed.
func Listable(r *rules.Result) bool {
	if r.Route == nil {
		return false
	}
	switch r.Status {
	case rules.Eligible:
		return true
	case rules.NeedsReview:
		for _, c := range r.Criteria {
			if c.Route == *r.Route && c.Status != rules.Pass {
				return false
			}
		}
		return true
	}
	return false
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// HashEntries is the SHA-256 (hex) of a version's entries as JSON.
func HashEntries(entries []registry.WhitelistEntry) string {
	if entries == nil {
		entries = []registry.WhitelistEntry{}
	}
	b, _ := json.Marshal(entries)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// titles are the firm's honors valid at asOf, as a bank may see them.
func titles(f *registry.Firm, asOf time.Time) []registry.WhitelistTitle {
	out := []registry.WhitelistTitle{}
	for _, h := range f.Honors {
		if !h.ValidAt(asOf) {
			continue
		}
		out = append(out, registry.WhitelistTitle{Kind: h.Kind, Level: h.Level, Issued: h.Issued, Expires: h.Expires})
	}
	return out
}

// Answer is what a bank learns about one USCC.
type Answer struct {
	USCC        string                    `json:"uscc"`
	Listed      bool                      `json:"listed"`
	Version     int                       `json:"version"`
	Tier        *string                   `json:"tier"`
	EntryRoute  *string                   `json:"entry_route"`
	Name        string                    `json:"name,omitempty"`
	Titles      []registry.WhitelistTitle `json:"titles"`
	ListedSince *string                   `json:"listed_since"`
	Receipt     Receipt                   `json:"receipt"`
}

// Lookup answers one USCC from the version held in memory, with a signed
// receipt. Errors: ErrNotReady before Load succeeded.
func (s *Service) Lookup(uscc string) (Answer, error) {
	sn, sg := s.latest.Load(), s.signer.Load()
	if sn == nil || sg == nil {
		return Answer{}, ErrNotReady
	}
	a := Answer{USCC: uscc, Version: sn.version.Version, Titles: []registry.WhitelistTitle{}}
	body := ReceiptBody{USCC: uscc, List: List, Version: sn.version.Version, IssuedAt: s.cfg.Now().UTC().Format(time.RFC3339)}
	if e, ok := sn.byUSCC[uscc]; ok {
		a.Listed, a.Name, a.Titles = true, e.Name, e.Titles
		tier, route, since := e.Tier, e.EntryRoute, e.ListedSinceDate
		a.Tier, a.EntryRoute, a.ListedSince = &tier, &route, &since
		body.Listed, body.Tier, body.EntryRoute = true, tier, route
	}
	a.Receipt = sg.Sign(body)
	return a, nil
}

// Current returns the version held in memory (Version 0: none published).
// Errors: ErrNotReady.
func (s *Service) Current() (registry.WhitelistVersion, error) {
	sn := s.latest.Load()
	if sn == nil {
		return registry.WhitelistVersion{}, ErrNotReady
	}
	return sn.version, nil
}

// Removed is a firm that left the list: identity only.
type Removed struct {
	USCC string `json:"uscc"`
	Name string `json:"name"`
}

// Changes are the differences between version From and version To.
type Changes struct {
	List    string                    `json:"list"`
	From    int                       `json:"from"`
	To      int                       `json:"to"`
	Added   []registry.WhitelistEntry `json:"added"`
	Removed []Removed                 `json:"removed"`
}

// ErrNoVersion: the version asked for is not published.
var ErrNoVersion = errors.New("whitelist: no such version")

// ChangesSince compares version since (0: nothing) with the latest.
// Errors: ErrNoVersion, ErrNotReady, registry.ErrUnavailable.
func (s *Service) ChangesSince(ctx context.Context, since int) (Changes, error) {
	sn := s.latest.Load()
	if sn == nil {
		return Changes{}, ErrNotReady
	}
	to := sn.version.Version
	if since < 0 || since > to {
		return Changes{}, fmt.Errorf("%w: %d (latest is %d)", ErrNoVersion, since, to)
	}
	old := map[string]registry.WhitelistEntry{}
	if since > 0 {
		_, entries, err := s.store.WhitelistVersion(ctx, List, since)
		if errors.Is(err, registry.ErrNotFound) {
			return Changes{}, fmt.Errorf("%w: %d", ErrNoVersion, since)
		}
		if err != nil {
			return Changes{}, err
		}
		for _, e := range entries {
			old[e.USCC] = e
		}
	}
	c := Changes{List: List, From: since, To: to, Added: []registry.WhitelistEntry{}, Removed: []Removed{}}
	for _, e := range sn.entries {
		if _, ok := old[e.USCC]; !ok {
			c.Added = append(c.Added, e)
		}
		delete(old, e.USCC)
	}
	for _, e := range old {
		c.Removed = append(c.Removed, Removed{USCC: e.USCC, Name: e.Name})
	}
	slices.SortFunc(c.Removed, func(a, b Removed) int { return cmpString(a.USCC, b.USCC) })
	return c, nil
}

// Version returns a published version with its entries.
// Errors: ErrNoVersion, registry.ErrUnavailable.
func (s *Service) Version(ctx context.Context, v int) (registry.WhitelistVersion, []registry.WhitelistEntry, error) {
	ver, entries, err := s.store.WhitelistVersion(ctx, List, v)
	if errors.Is(err, registry.ErrNotFound) {
		return ver, nil, fmt.Errorf("%w: %d", ErrNoVersion, v)
	}
	return ver, entries, err
}

// Versions lists the published versions, newest first, at most limit.
// Errors: ErrNotReady, registry.ErrUnavailable.
func (s *Service) Versions(ctx context.Context, limit int) ([]registry.WhitelistVersion, error) {
	sn := s.latest.Load()
	if sn == nil {
		return nil, ErrNotReady
	}
	to := sn.version.Version
	return s.store.WhitelistVersions(ctx, List, max(1, to-limit+1), to)
}

// PublicKeys lists the receipt keys, current first. Errors: ErrNotReady.
func (s *Service) PublicKeys() ([]PublicKey, error) {
	sg := s.signer.Load()
	if sg == nil {
		return nil, ErrNotReady
	}
	return sg.PublicKeys(), nil
}

// Rotate makes a new signing key current; old keys stay published.
// Errors: registry.ErrUnavailable.
func (s *Service) Rotate(ctx context.Context) (PublicKey, error) {
	k, err := NewKey(s.cfg.Now())
	if err != nil {
		return PublicKey{}, err
	}
	if err := s.store.AddReceiptKey(ctx, k); err != nil {
		return PublicKey{}, err
	}
	keys, err := s.store.ReceiptKeys(ctx)
	if err != nil {
		return PublicKey{}, err
	}
	sg, err := NewSigner(keys)
	if err != nil {
		return PublicKey{}, err
	}
	s.signer.Store(sg)
	return PublicKey{KeyID: k.ID, Alg: alg, PublicKey: base64.StdEncoding.EncodeToString(k.Public), CreatedAt: k.CreatedAt, Current: true}, nil
}
