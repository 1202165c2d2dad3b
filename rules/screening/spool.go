package screening

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/peiyu/peiyu/registry"
)

// A spool keeps, in a temporary file, the job's firms as pass 1 of a
// native program read them, so that the job's own pass in scan mode reads
// the file instead of the registry. On the embedded server a registry scan
// costs far more than the evaluation (the server decodes every document),
// and innovation points need a scan of their own before any firm can be
// ranked: without the spool a screening would read the registry twice.
//
// The spool is used only when pass 1 ran to its end over a scope that
// holds every firm of the job; otherwise (pass 1 loaded from an earlier
// run of the job, the file could not be written) the job's pass scans the
// registry as before. Decoding a firm from the file costs a few percent of
// reading it from the embedded server.
type spool struct {
	f    *os.File
	full bool // a complete pass-1 scan of the job's scope was written
}

func newSpool() *spool { return &spool{} }

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
		var werr error
		err = scan(ctx, f, func(rec *registry.Record) error {
			if err := fn(rec); err != nil {
				return err
			}
			if werr == nil && job.Matches(&rec.Firm) {
				werr = enc.Encode(rec)
			}
			return nil
		})
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

// source returns the scan of the job's firms: the spool's, when it is
// full, else scan. The spool's records are the job's firms whatever
// filter the caller passes.
func (sp *spool) source(scan ScanFunc) ScanFunc {
	if !sp.full {
		return scan
	}
	return func(ctx context.Context, _ registry.FirmFilter, fn func(*registry.Record) error) error {
		if _, err := sp.f.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("screening: rewind the spool: %w", err)
		}
		dec := json.NewDecoder(bufio.NewReaderSize(sp.f, 1<<20))
		for i := 0; ; i++ {
			if i%256 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			rec := new(registry.Record)
			err := dec.Decode(rec)
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("screening: read the spool: %w", err)
			}
			if err := fn(rec); err != nil {
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
