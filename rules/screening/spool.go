package screening

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/peiyu/peiyu/registry"
)

// A spool keeps, in a temporary file, the job's firms as pass 1 of a
// native program read them, so that the job's own pass in scan mode reads
// the file instead of the registry. On the embedded server a registry scan
// costs far more than the evaluation (the server decodes every document),
// and innovation points need a scan of their own before any firm can be
// ranked: without the spool a screening would read the registry twice.
//
// While pass 1 scans, the spool also evaluates the job's rule packs on
// each firm it keeps, on workers of its own, and stores their results with
// the firm: a registry scan keeps about one core busy, so the packs run on
// the other, and the job's own pass is left with the native programs and
// the writes. (On 2 cores and 20,000 firms that took the screening from
// 2.2x a bare scan to 1.8x.)
//
// The spool is used only when pass 1 ran to its end over a scope that
// holds every firm of the job; otherwise (pass 1 loaded from an earlier
// run of the job, the file could not be written) the job's pass scans the
// registry as before. Decoding a firm from the file costs a few percent of
// reading it from the embedded server.
type spool struct {
	f       *os.File
	full    bool                                       // a complete pass-1 scan of the job's scope was written
	eval    func(*registry.Firm) registry.ScreenedFirm // the packs' results, kept with each firm (nil: none)
	workers int
}

// spooled is one line of the spool: a firm and, when the spool evaluates,
// the packs' results for it.
type spooled struct {
	Rec   *registry.Record       `json:"rec"`
	Packs *registry.ScreenedFirm `json:"packs,omitempty"`
}

// newSpool returns an empty spool; eval, when set, is evaluated on every
// firm the spool keeps, by workers goroutines.
func newSpool(eval func(*registry.Firm) registry.ScreenedFirm, workers int) *spool {
	return &spool{eval: eval, workers: max(workers, 1)}
}

// tee returns scan, keeping every firm it reads that job selects in the
// spool, when the filter it is called with covers the whole job and the
// spool is still empty.
func (sp *spool) tee(scan ScanFunc, job registry.ScreeningFilter) ScanFunc {
	return func(ctx context.Context, f registry.FirmFilter, fn func(*registry.Record) error) error {
		if sp.f != nil || !coversJob(f, job) {
			return scan(ctx, f, fn)
		}
		file, err := os.CreateTemp("", "peiyu-screening-*.jsonl")
		if err != nil {
			return scan(ctx, f, fn) // no spool: the job's pass reads the registry
		}
		sp.f = file
		w := bufio.NewWriterSize(file, 1<<20)
		enc := json.NewEncoder(w)

		// The scan hands the job's firms to the evaluators, which hand
		// them with their results to one encoder. The order of the lines
		// is not the scan's; the job's pass does not need it.
		keep := make(chan *registry.Record, 256)
		done := make(chan spooled, 256)
		var werr error
		encoded := make(chan struct{})
		go func() {
			defer close(encoded)
			for e := range done {
				if werr == nil {
					werr = enc.Encode(e)
				}
			}
		}()
		var wg sync.WaitGroup
		for range sp.workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for rec := range keep {
					e := spooled{Rec: rec}
					if sp.eval != nil {
						sf := sp.eval(&rec.Firm)
						e.Packs = &sf
					}
					done <- e
				}
			}()
		}
		err = scan(ctx, f, func(rec *registry.Record) error {
			if err := fn(rec); err != nil {
				return err
			}
			if job.Matches(&rec.Firm) {
				select {
				case keep <- rec:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			return nil
		})
		close(keep)
		wg.Wait()
		close(done)
		<-encoded
		if err == nil && werr == nil {
			sp.full = w.Flush() == nil
		}
		return err
	}
}

// coversJob reports whether the firms f selects include every firm of the
// job: f narrows by region only, to a region containing the job's.
func coversJob(f registry.FirmFilter, job registry.ScreeningFilter) bool {
	if f.Chain != "" || f.IndustryCode != "" || f.Query != "" || f.Honor != "" {
		return false
	}
	return f.RegionCode == "" || (job.RegionCode != "" && registry.RegionWithin(job.RegionCode, f.RegionCode))
}

// source is where the job's pass reads its firms: each with the packs'
// results when the spool evaluated them (else nil).
type source func(ctx context.Context, f registry.FirmFilter, fn func(*registry.Record, *registry.ScreenedFirm) error) error

// source returns the scan of the job's firms: the spool's, when it is
// full, else scan. The spool's records are the job's firms whatever
// filter the caller passes.
func (sp *spool) source(scan ScanFunc) source {
	if !sp.full {
		return func(ctx context.Context, f registry.FirmFilter, fn func(*registry.Record, *registry.ScreenedFirm) error) error {
			return scan(ctx, f, func(rec *registry.Record) error { return fn(rec, nil) })
		}
	}
	return func(ctx context.Context, _ registry.FirmFilter, fn func(*registry.Record, *registry.ScreenedFirm) error) error {
		if _, err := sp.f.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("screening: rewind the spool: %w", err)
		}
		dec := json.NewDecoder(bufio.NewReaderSize(sp.f, 1<<20))
		for i := 0; ; i++ {
			if i%256 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			var e spooled
			err := dec.Decode(&e)
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err == nil && e.Rec == nil {
				err = errors.New("a line without its firm")
			}
			if err != nil {
				return fmt.Errorf("screening: read the spool: %w", err)
			}
			if err := fn(e.Rec, e.Packs); err != nil {
				return err
			}
		}
	}
}

// close removes the spool's file.
func (sp *spool) close() {
	if sp.f != nil {
		sp.f.Close()
		os.Remove(sp.f.Name())
	}
}
