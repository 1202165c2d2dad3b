package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/rules"
)

// packPollInterval is how often a replica looks for revisions published
// elsewhere, so that several replicas converge on the same packs.
const packPollInterval = 30 * time.Second

// revisionStore is where published rule-pack revisions live: *store.Store.
type revisionStore interface {
	LatestRevisions(ctx context.Context) ([]registry.PackRevision, error)
	GetRevision(ctx context.Context, program, edition string, n int) (*registry.PackRevision, error)
}

// packReloader keeps the engine in use up to date with the revisions
// published to the database (POST …/drafts/{d}/publish, on any replica):
// for each program edition, the latest stored revision that still
// compiles replaces the pack built into the binary. A revision that no
// longer compiles (the engine changed under it) is logged once and
// skipped; the one before it, or the built-in pack, stays in use.
type packReloader struct {
	store  revisionStore
	rules  *rules.Holder
	log    *slog.Logger
	loaded atomic.Bool // the first reload succeeded

	mu      sync.Mutex
	skipped map[string]bool // "id@edition#n" that do not compile
}

func newPackReloader(st revisionStore, h *rules.Holder, log *slog.Logger) *packReloader {
	return &packReloader{store: st, rules: h, log: log, skipped: map[string]bool{}}
}

// reload installs every stored revision newer than the engine's. Errors:
// registry.ErrUnavailable (nothing is lost; the next reload catches up).
func (r *packReloader) reload(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	heads, err := r.store.LatestRevisions(ctx)
	if err != nil {
		return err
	}
	eng := r.rules.Load()
	for _, h := range heads {
		cur := 0
		if p, ok := eng.Program(h.Key()); ok {
			cur = p.Revision()
		}
		for n := h.Revision; n > cur; n-- {
			id := (&registry.PackRevision{Program: h.Program, Edition: h.Edition, Revision: n}).ID()
			if r.skipped[id] {
				continue
			}
			prog, err := r.compile(ctx, h.Program, h.Edition, n)
			if errors.Is(err, registry.ErrUnavailable) {
				return err
			}
			if errors.Is(err, registry.ErrNotFound) {
				continue
			}
			if err != nil {
				r.log.Error("stored rule pack revision does not compile; skipped", "revision", id, "error", err)
				r.skipped[id] = true
				continue
			}
			if r.rules.Install(prog) {
				r.log.Info("rule pack revision in use", "revision", id, "hash", prog.Hash())
			}
			break
		}
	}
	r.loaded.Store(true)
	return nil
}

// compile reads and compiles one stored revision. A pack staff wrote is
// untrusted, so it goes through rules.ParseDraft like any draft.
func (r *packReloader) compile(ctx context.Context, program, edition string, n int) (*rules.Program, error) {
	rev, err := r.store.GetRevision(ctx, program, edition, n)
	if err != nil {
		return nil, err
	}
	pack, err := rules.ParseDraft(rev.ID()+".yaml", []byte(rev.YAML))
	if err != nil {
		return nil, err
	}
	if pack.Key() != rev.Key() {
		return nil, fmt.Errorf("the pack inside is %s", pack.Key())
	}
	pack.Revision = n
	return rules.Compile(pack)
}

// run reloads now, then every interval until ctx ends; until the first
// reload succeeds it retries sooner.
func (r *packReloader) run(ctx context.Context, interval time.Duration) {
	retry := time.Second
	for {
		wait := interval
		if err := r.reload(ctx); err != nil && ctx.Err() == nil {
			r.log.Warn("load published rule packs", "error", err)
			if !r.loaded.Load() {
				wait, retry = retry, min(2*retry, interval)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// ready is the readiness check: a replica is ready once it has loaded the
// published packs, so it never answers with rules another replica has
// replaced.
func (r *packReloader) ready(context.Context) error {
	if !r.loaded.Load() {
		return errors.New("published rule packs not loaded yet")
	}
	return nil
}
