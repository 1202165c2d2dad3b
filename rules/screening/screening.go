// Package screening runs the rule engine over the whole registry: background
// jobs that evaluate every firm of a filter against a set of programs and
// store each firm's outcome.
//
// A job is split into chunks of firms. Workers claim chunks under a lease
// (a compare-and-set on the chunk's state), evaluate and write their firms
// in bulk, and mark the chunk done with its counts; the job's progress and
// summary are the sum over done chunks, so a chunk evaluated twice (a
// worker crashed after writing results, its lease expired, another took
// over) is still counted once, and its results are replaced, not
// duplicated. Several Peiyu replicas on one MongoDB share a job this way.
//
// On the embedded server the same job runs in scan mode: the embedded
// server answers any query but a lookup by _id by reading every document,
// so fetching chunk after chunk would read the registry once per chunk.
// Only this process uses the embedded server, so one worker holds the
// job's lease and plans the chunks as it scans: firms are cut into chunks
// in scan order, and each chunk is sealed (its USCCs and counts stored)
// once its results are written. A worker resuming the job skips the firms
// of sealed chunks and goes on.
package screening

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/rules"
)

// Store is what the runner needs of the registry. *store.Store implements
// it; methods return registry error kinds.
type Store interface {
	CreateScreening(ctx context.Context, sc registry.Screening) error
	GetScreening(ctx context.Context, id string) (registry.Screening, error)
	ActiveScreenings(ctx context.Context) ([]registry.Screening, error)
	ClaimJob(ctx context.Context, id, owner string, lease time.Duration) (bool, error)
	StartScreening(ctx context.Context, id string, estimate int) error
	SavePlan(ctx context.Context, id string, chunks [][]string) error
	ClaimChunks(ctx context.Context, sc registry.Screening, lease string, max int, leaseFor time.Duration) ([]registry.ScreeningChunk, error)
	RenewLease(ctx context.Context, sc registry.Screening, lease string, leaseFor time.Duration) error
	WriteResults(ctx context.Context, firms []registry.ScreenedFirm) error
	FinishChunk(ctx context.Context, c registry.ScreeningChunk, r registry.ChunkResult) error
	SealedChunks(ctx context.Context, job string) ([][]string, error)
	SealChunk(ctx context.Context, job string, index int, usccs []string, r registry.ChunkResult) error
	SetTotal(ctx context.Context, id string, chunks, total int) error
	CompleteScreening(ctx context.Context, sc registry.Screening) (bool, error)
	FailScreening(ctx context.Context, id, reason string) error
	PruneScreenings(ctx context.Context, keep int) (int, error)

	ScanFirms(ctx context.Context, f registry.FirmFilter, fn func(*registry.Record) error) error
	FirmIDs(ctx context.Context, f registry.FirmFilter) ([]string, error)
	FirmsByUSCC(ctx context.Context, usccs []string, fn func(*registry.Record) error) error
	EstimateFirms(ctx context.Context) (int64, error)
}

// Config tunes a Runner. Zero values take the defaults.
type Config struct {
	// ChunkSize is the number of firms per chunk (default 500).
	ChunkSize int
	// Lease is how long a claim holds without renewal (default 30s); a
	// crashed worker's chunks are taken over after it.
	Lease time.Duration
	// Workers evaluate firms in parallel (default GOMAXPROCS).
	Workers int
	// ScanMode plans chunks during one registry scan (the embedded
	// server); otherwise chunks are planned first and fetched by USCC.
	ScanMode bool
	// KeepResults is how many of the newest jobs keep their per-firm
	// results (default 20); older jobs keep only their summary.
	KeepResults int
	// Poll is how often Run looks for work when not woken (default 2s).
	Poll   time.Duration
	Logger *slog.Logger
	// Progress, when set, is called after each chunk a worker finishes
	// with the job's firms done so far by this worker.
	Progress func(job string, done int)
	// Natives are the programs evaluated outside the rule engine, in two
	// passes (see Native); a job without programs includes them all.
	Natives []Native
}

// Runner creates and works screening jobs.
type Runner struct {
	store Store
	rules *rules.Holder
	cfg   Config
	owner string
	wake  chan struct{}
}

// New returns a Runner. owner names this worker in leases; empty means a
// fresh random name.
func New(st Store, h *rules.Holder, cfg Config) *Runner {
	if cfg.ChunkSize <= 0 {
		cfg.ChunkSize = 500
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 30 * time.Second
	}
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	if cfg.KeepResults <= 0 {
		cfg.KeepResults = 20
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 2 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Runner{store: st, rules: h, cfg: cfg, owner: "worker-" + uuid.NewString(), wake: make(chan struct{}, 1)}
}

// Request describes a new job.
type Request struct {
	// Programs are "id" or "id@edition"; none means every program with an
	// edition in force at AsOf.
	Programs []string
	Filter   registry.ScreeningFilter
	AsOf     time.Time
	By       string
}

// Create stores a queued job and wakes the worker. Programs are resolved to
// editions now, so the job applies the same ones however long it runs.
// Errors: a *rules.UnknownProgramError, registry.ErrUnavailable.
func (r *Runner) Create(ctx context.Context, req Request, now time.Time) (registry.Screening, error) {
	eng := r.rules.Load()
	packSel, natives, err := r.splitNatives(req.Programs)
	if err != nil {
		return registry.Screening{}, err
	}
	var keys []string
	if len(req.Programs) == 0 {
		for _, id := range eng.IDs() {
			if p := eng.InForce(id, req.AsOf); p != nil {
				keys = append(keys, p.Key())
			}
		}
	} else if len(packSel) > 0 {
		sels, err := eng.Resolve(packSel, req.AsOf, false)
		if err != nil {
			return registry.Screening{}, r.withNatives(err)
		}
		for _, s := range sels {
			keys = append(keys, s.Program.Key())
		}
	}
	keys = append(keys, natives...)
	sc := registry.Screening{
		ID:        uuid.NewString(),
		Status:    registry.ScreeningQueued,
		Programs:  keys,
		Filter:    req.Filter,
		AsOf:      req.AsOf.Format(time.DateOnly),
		CreatedBy: req.By,
		CreatedAt: now,
		Summary:   map[string]map[string]int{},
	}
	if err := r.store.CreateScreening(ctx, sc); err != nil {
		return registry.Screening{}, err
	}
	r.Wake()
	return sc, nil
}

// Wake tells Run that a job is waiting.
func (r *Runner) Wake() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run works queued and running jobs, oldest first, until ctx ends. A job
// interrupted by a restart is found again here and resumed.
func (r *Runner) Run(ctx context.Context) {
	for {
		jobs, err := r.store.ActiveScreenings(ctx)
		if err != nil && ctx.Err() == nil {
			r.cfg.Logger.Warn("screening: list jobs", "error", err)
		}
		for _, j := range jobs {
			if err := r.Work(ctx, j.ID); err != nil && ctx.Err() == nil {
				r.cfg.Logger.Warn("screening: job", "id", j.ID, "error", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-r.wake:
		case <-time.After(r.cfg.Poll):
		}
	}
}

// errBusy: another worker holds the job; come back later.
var errBusy = errors.New("screening: job held by another worker")

// Work takes part in one job until it is done, failed, or held by another
// worker. It returns nil in those cases; errors are the store's
// (registry.ErrUnavailable) or the context's.
func (r *Runner) Work(ctx context.Context, id string) error {
	for {
		sc, err := r.store.GetScreening(ctx, id)
		if err != nil {
			return err
		}
		if sc.Status == registry.ScreeningDone || sc.Status == registry.ScreeningFailed {
			if n, err := r.store.PruneScreenings(ctx, r.cfg.KeepResults); err != nil {
				r.cfg.Logger.Warn("screening: prune old results", "error", err)
			} else if n > 0 {
				r.cfg.Logger.Info("screening: pruned old results", "jobs", n)
			}
			return nil
		}
		progs, err := r.programs(sc)
		if err != nil {
			return r.store.FailScreening(ctx, sc.ID, err.Error())
		}
		switch {
		case r.cfg.ScanMode:
			err = r.scanJob(ctx, sc, progs)
		case sc.Status == registry.ScreeningQueued:
			err = r.plan(ctx, sc)
		default:
			err = r.chunkJob(ctx, sc, progs)
		}
		if errors.Is(err, errBusy) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// programs resolves a job's editions in the current engine.
func (r *Runner) programs(sc registry.Screening) ([]*rules.Program, error) {
	eng := r.rules.Load()
	out := make([]*rules.Program, 0, len(sc.Programs))
	for _, k := range sc.Programs {
		if r.native(k) != nil {
			continue // evaluated after pass 1 (see prepare)
		}
		p, ok := eng.Program(k)
		if !ok {
			return nil, fmt.Errorf("规则包 %s 已不存在 (program edition %s is no longer loaded)", k, k)
		}
		out = append(out, p)
	}
	return out, nil
}

// plan cuts a queued job's firms into chunks (replica mode).
func (r *Runner) plan(ctx context.Context, sc registry.Screening) error {
	ok, err := r.store.ClaimJob(ctx, sc.ID, r.owner, r.cfg.Lease)
	if err != nil {
		return err
	}
	if !ok {
		return r.wait(ctx)
	}
	ids, err := r.store.FirmIDs(ctx, sc.Filter.FirmFilter())
	if err != nil {
		return err
	}
	var chunks [][]string
	for from := 0; from < len(ids); from += r.cfg.ChunkSize {
		chunks = append(chunks, ids[from:min(from+r.cfg.ChunkSize, len(ids))])
	}
	// Pass 1 of native programs before any chunk can be claimed, so the
	// workers find it done.
	if _, err := r.prepare(ctx, sc, nil); err != nil {
		return err
	}
	err = r.store.SavePlan(ctx, sc.ID, chunks)
	if errors.Is(err, registry.ErrConflict) {
		return nil // planned by another worker meanwhile
	}
	return err
}

// wait pauses before looking at a job held elsewhere again.
func (r *Runner) wait(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(min(r.cfg.Lease/4, time.Second)):
		return errBusy
	}
}

// chunkJob claims and works one chunk at a time (replica mode) until none
// is free; the job completes when every chunk is done.
func (r *Runner) chunkJob(ctx context.Context, sc registry.Screening, progs []*rules.Program) error {
	lease := uuid.NewString()
	asOf, _ := time.Parse(time.DateOnly, sc.AsOf)
	natives, err := r.prepare(ctx, sc, nil)
	if err != nil {
		return err
	}
	for {
		claimed, err := r.store.ClaimChunks(ctx, sc, lease, 1, r.cfg.Lease)
		if err != nil {
			return err
		}
		if len(claimed) == 0 {
			done, err := r.store.CompleteScreening(ctx, sc)
			if err != nil || done {
				return err
			}
			return r.wait(ctx) // others hold the last chunks
		}
		c := claimed[0]
		stop := r.renew(ctx, func(ctx context.Context) error { return r.store.RenewLease(ctx, sc, lease, r.cfg.Lease) })
		p := newPipeline(r, sc, progs, asOf, func(ctx context.Context, _ int, _ []string, res registry.ChunkResult) error {
			err := r.store.FinishChunk(ctx, c, res)
			if errors.Is(err, registry.ErrConflict) {
				r.cfg.Logger.Warn("screening: chunk lease lost; its counts are the other worker's", "job", sc.ID, "chunk", c.Index)
				return nil
			}
			return err
		})
		p.natives = natives
		err = p.run(ctx, func(emit emitFunc, closeChunk func(int, []string)) error {
			var found []string
			err := r.store.FirmsByUSCC(ctx, c.USCCs, func(rec *registry.Record) error {
				found = append(found, rec.Firm.USCC)
				return emit(rec, nil, c.Index)
			})
			if err != nil {
				return err
			}
			closeChunk(c.Index, found)
			return nil
		})
		stop()
		if err != nil {
			return err
		}
	}
}

// renew keeps a lease alive until the returned func is called.
func (r *Runner) renew(ctx context.Context, f func(context.Context) error) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(r.cfg.Lease / 3)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := f(ctx); err != nil && ctx.Err() == nil {
					r.cfg.Logger.Warn("screening: renew lease", "error", err)
				}
			}
		}
	}()
	return func() { cancel(); <-done }
}

// scanJob plans and evaluates a job in one registry scan (scan mode),
// resuming after the chunks already sealed.
func (r *Runner) scanJob(ctx context.Context, sc registry.Screening, progs []*rules.Program) error {
	ok, err := r.store.ClaimJob(ctx, sc.ID, r.owner, r.cfg.Lease)
	if err != nil {
		return err
	}
	if !ok {
		return r.wait(ctx)
	}
	stop := r.renew(ctx, func(ctx context.Context) error {
		ok, err := r.store.ClaimJob(ctx, sc.ID, r.owner, r.cfg.Lease)
		if err == nil && !ok {
			err = errors.New("job lease lost")
		}
		return err
	})
	defer stop()
	if sc.Status == registry.ScreeningQueued {
		est := 0
		if sc.Filter == (registry.ScreeningFilter{}) {
			n, err := r.store.EstimateFirms(ctx)
			if err != nil {
				return err
			}
			est = int(n)
		}
		if err := r.store.StartScreening(ctx, sc.ID, est); err != nil {
			return err
		}
	}
	// Pass 1 of native programs: a scan of the registry, whose firms of
	// the job are kept in a spool for the job's own pass; or the stored
	// build of this job when it resumes, and then no spool.
	asOf, _ := time.Parse(time.DateOnly, sc.AsOf)
	sp := newSpool(func(f *registry.Firm) registry.ScreenedFirm { return Evaluate(progs, f, asOf) }, r.cfg.Workers)
	defer sp.close()
	natives, err := r.prepare(ctx, sc, sp)
	if err != nil {
		return err
	}
	scan := sp.source(r.store.ScanFirms)
	sealed, err := r.store.SealedChunks(ctx, sc.ID)
	if err != nil {
		return err
	}
	skip := map[string]bool{}
	total := 0
	for _, c := range sealed {
		for _, u := range c {
			skip[u] = true
		}
		total += len(c)
	}
	next := len(sealed)
	p := newPipeline(r, sc, progs, asOf, func(ctx context.Context, index int, usccs []string, res registry.ChunkResult) error {
		return r.store.SealChunk(ctx, sc.ID, index, usccs, res)
	})
	p.natives = natives
	err = p.run(ctx, func(emit emitFunc, closeChunk func(int, []string)) error {
		var cur []string
		err := scan(ctx, sc.Filter.FirmFilter(), func(rec *registry.Record, packs *registry.ScreenedFirm) error {
			u := rec.Firm.USCC
			if skip[u] {
				return nil
			}
			cur = append(cur, u)
			if err := emit(rec, packs, next); err != nil {
				return err
			}
			if len(cur) == r.cfg.ChunkSize {
				closeChunk(next, cur)
				total += len(cur)
				cur, next = nil, next+1
			}
			return nil
		})
		if err != nil {
			return err
		}
		if len(cur) > 0 {
			closeChunk(next, cur)
			total += len(cur)
			next++
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := r.store.SetTotal(ctx, sc.ID, next, total); err != nil {
		return err
	}
	sc.Chunks = next
	_, err = r.store.CompleteScreening(ctx, sc)
	return err
}

// pipeline evaluates firms on several goroutines and writes their results
// in bulk, sealing each chunk once all its firms are written.
type pipeline struct {
	r       *Runner
	sc      registry.Screening
	progs   []*rules.Program
	natives []nativeEval // pass 2 of the native programs, after the packs
	asOf    time.Time
	seal    func(ctx context.Context, index int, usccs []string, res registry.ChunkResult) error
}

func newPipeline(r *Runner, sc registry.Screening, progs []*rules.Program, asOf time.Time,
	seal func(context.Context, int, []string, registry.ChunkResult) error) *pipeline {
	return &pipeline{r: r, sc: sc, progs: progs, asOf: asOf, seal: seal}
}

type item struct {
	rec   *registry.Record
	packs *registry.ScreenedFirm // the packs' results, when the source has them
	chunk int
}

// emitFunc hands a firm of chunk to the evaluators, with the packs'
// results when they are known already (else nil).
type emitFunc func(rec *registry.Record, packs *registry.ScreenedFirm, chunk int) error

type chunkState struct {
	usccs    []string // set when the source closes the chunk
	closed   bool
	expected int
	written  int
	res      registry.ChunkResult
}

// batchSize is how many firms' results go to the database in one write.
const batchSize = 500

// run feeds the firms the source emits through the evaluators to the
// writer. The source calls closeChunk once it has emitted a chunk's last
// firm.
func (p *pipeline) run(ctx context.Context, source func(emit emitFunc, closeChunk func(int, []string)) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	in := make(chan item, 256)
	out := make(chan registry.ScreenedFirm, 256)
	closes := make(chan chunkClose, 16)

	var wg sync.WaitGroup
	for range p.r.cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range in {
				var sf registry.ScreenedFirm
				if it.packs != nil {
					sf = *it.packs
				} else {
					sf = Evaluate(p.progs, &it.rec.Firm, p.asOf)
				}
				for _, ev := range p.natives {
					sf.Results = append(sf.Results, Screened(ev(&it.rec.Firm, p.asOf)))
				}
				sf.Job, sf.Chunk = p.sc.ID, it.chunk
				select {
				case out <- sf:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() { wg.Wait(); close(out) }()

	srcErr := make(chan error, 1)
	go func() {
		defer close(in)
		defer close(closes)
		emit := func(rec *registry.Record, packs *registry.ScreenedFirm, chunk int) error {
			select {
			case in <- item{rec, packs, chunk}:
				return nil
			case <-ctx.Done():
				return context.Cause(ctx)
			}
		}
		closeChunk := func(i int, usccs []string) {
			select {
			case closes <- chunkClose{i, slices.Clone(usccs)}:
			case <-ctx.Done():
			}
		}
		srcErr <- source(emit, closeChunk)
	}()

	err := p.write(ctx, out, closes)
	if err != nil {
		cancel(err)
	}
	// Drain, so the evaluators and the source can end.
	for range out {
	}
	for range closes {
	}
	if e := <-srcErr; err == nil && e != nil {
		err = e
	}
	return err
}

type chunkClose struct {
	index int
	usccs []string
}

// write batches results, then seals the chunks whose firms are all written.
func (p *pipeline) write(ctx context.Context, out <-chan registry.ScreenedFirm, closes <-chan chunkClose) error {
	chunks := map[int]*chunkState{}
	get := func(i int) *chunkState {
		c := chunks[i]
		if c == nil {
			c = &chunkState{res: registry.ChunkResult{Summary: map[string]map[string]int{}}}
			chunks[i] = c
		}
		return c
	}
	var batch []registry.ScreenedFirm
	sealReady := func() error {
		var ready []int
		for i, c := range chunks {
			if c.closed && c.written == c.expected {
				ready = append(ready, i)
			}
		}
		slices.Sort(ready)
		for _, i := range ready {
			c := chunks[i]
			c.res.Done = c.written
			if err := p.seal(ctx, i, c.usccs, c.res); err != nil {
				return err
			}
			delete(chunks, i)
			if p.r.cfg.Progress != nil {
				p.r.cfg.Progress(p.sc.ID, c.written)
			}
		}
		return nil
	}
	flush := func() error {
		if len(batch) == 0 {
			return sealReady()
		}
		if err := p.r.store.WriteResults(ctx, batch); err != nil {
			return err
		}
		for _, sf := range batch {
			c := get(sf.Chunk)
			c.written++
			for _, res := range sf.Results {
				id := registry.ProgramID(res.Program)
				if c.res.Summary[id] == nil {
					c.res.Summary[id] = map[string]int{}
				}
				c.res.Summary[id][res.Status]++
			}
		}
		batch = batch[:0]
		return sealReady()
	}
	outOpen, closesOpen := true, true
	for outOpen || closesOpen {
		select {
		case sf, ok := <-out:
			if !ok {
				outOpen, out = false, nil
				continue
			}
			batch = append(batch, sf)
			if len(batch) >= batchSize {
				if err := flush(); err != nil {
					return err
				}
			}
		case cc, ok := <-closes:
			if !ok {
				closesOpen, closes = false, nil
				continue
			}
			c := get(cc.index)
			c.closed, c.expected, c.usccs = true, len(cc.usccs), cc.usccs
			// A chunk closes after its last firm is emitted; flush so it can
			// be sealed without waiting for the next full batch.
			if err := flush(); err != nil {
				return err
			}
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
	return flush()
}

// Evaluate is one firm's screening outcome for the programs: status, score,
// failing criteria, and for an ineligible firm its distance and the gaps of
// the criteria that block it.
func Evaluate(progs []*rules.Program, f *registry.Firm, asOf time.Time) registry.ScreenedFirm {
	env := rules.NewEnv(f, asOf)
	sf := registry.ScreenedFirm{USCC: f.USCC, Name: f.Name, RegionCode: f.RegionCode, Chain: f.Chain,
		Results: make([]registry.ScreenedResult, 0, len(progs))}
	for _, p := range progs {
		sf.Results = append(sf.Results, Screened(p.Evaluate(env, rules.Options{})))
	}
	return sf
}

// Screened is what a screening keeps of one result: status, score,
// failing criteria, distance and the gaps of the criteria that block it.
func Screened(res rules.Result) registry.ScreenedResult {
	sr := registry.ScreenedResult{Program: res.Program, Edition: res.Edition, Status: string(res.Status),
		Score: res.Score, Distance: res.Distance, NearMiss: res.NearMiss(),
		Band: res.Band, Grade: res.Grade, Tier: res.Tier, CreditLine: res.CreditLine}
	for _, c := range res.Criteria {
		if c.Status != rules.Fail {
			continue
		}
		sr.Failing = append(sr.Failing, c.ID)
		if slices.Contains(res.Blocking, c.ID) {
			sr.Gaps = append(sr.Gaps, registry.ScreenGap{Criterion: c.ID, Gap: c.Gap, Unit: c.Unit})
		}
	}
	return sr
}
