package screening

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/rules"
)

// Native is a program evaluated outside the rule engine because a firm's
// result depends on the other firms (innovation points rank a firm within
// its cohort: package rules/points). A job names it like a pack; before a
// worker evaluates the job's firms it calls Prepare — pass 1, over the whole
// job — and evaluates each firm with what Prepare returns — pass 2.
type Native interface {
	// ID is the program id, Key its "id@edition" (one edition).
	ID() string
	Key() string
	// PrepareScan readies job sc and returns the evaluation of one firm,
	// safe for concurrent use. It is called by every worker that takes
	// part in the job, and again when the job resumes, so it must be
	// idempotent (store what it builds, keyed by the job, and load it the
	// next time). When pass 1 must read the registry it does so through
	// scan, which the runner may use to keep the firms for the job's own
	// pass. Errors are the store's or the context's.
	PrepareScan(ctx context.Context, sc registry.Screening, scan ScanFunc) (func(*registry.Firm, time.Time) rules.Result, error)
}

// ScanFunc reads the firms of the registry that f selects, as
// Store.ScanFirms does. It is an alias, so that a Native need not import
// this package.
type ScanFunc = func(ctx context.Context, f registry.FirmFilter, fn func(*registry.Record) error) error

// native returns the native program of a job's program key, nil when the
// key is a pack's.
func (r *Runner) native(key string) Native {
	for _, n := range r.cfg.Natives {
		if n.Key() == key {
			return n
		}
	}
	return nil
}

// splitNatives separates the native programs among selectors ("id" or
// "id@edition") from the packs; with no selectors it is every native.
func (r *Runner) splitNatives(sel []string) (packs, natives []string, err error) {
	if len(sel) == 0 {
		for _, n := range r.cfg.Natives {
			natives = append(natives, n.Key())
		}
		return nil, natives, nil
	}
	for _, s := range sel {
		id, _, _ := strings.Cut(strings.TrimSpace(s), "@")
		var hit Native
		for _, n := range r.cfg.Natives {
			if strings.TrimSpace(s) == n.Key() || strings.TrimSpace(s) == n.ID() {
				hit = n
			}
		}
		switch {
		case hit != nil:
			if !slices.Contains(natives, hit.Key()) {
				natives = append(natives, hit.Key())
			}
		case slices.ContainsFunc(r.cfg.Natives, func(n Native) bool { return n.ID() == id }):
			// A native program's id with an edition it does not have.
			return nil, nil, &rules.UnknownProgramError{Selector: s, Known: r.nativeKeys(nil)}
		default:
			packs = append(packs, s)
		}
	}
	return packs, natives, nil
}

// nativeKeys adds the natives' keys to the known programs of an
// UnknownProgramError.
func (r *Runner) nativeKeys(known []string) []string {
	for _, n := range r.cfg.Natives {
		known = append(known, n.Key())
	}
	return known
}

// withNatives lists the natives among the known programs of err.
func (r *Runner) withNatives(err error) error {
	var upe *rules.UnknownProgramError
	if errors.As(err, &upe) {
		return &rules.UnknownProgramError{Selector: upe.Selector, Known: r.nativeKeys(slices.Clone(upe.Known))}
	}
	return err
}

// nativeEval is pass 2 of one native program in a job.
type nativeEval func(*registry.Firm, time.Time) rules.Result

// prepare runs pass 1 of the job's native programs. With a spool, the
// firms pass 1 reads that are the job's own are kept in it, so that the
// job's pass need not read the registry again (see spool).
func (r *Runner) prepare(ctx context.Context, sc registry.Screening, sp *spool) ([]nativeEval, error) {
	var out []nativeEval
	scan := ScanFunc(r.store.ScanFirms)
	if sp != nil {
		scan = sp.tee(r.store.ScanFirms, sc.Filter)
	}
	for _, k := range sc.Programs {
		n := r.native(k)
		if n == nil {
			continue
		}
		ev, err := n.PrepareScan(ctx, sc, scan)
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	return out, nil
}

// NativeKeys lists the "id@edition" of the native programs the runner
// knows.
func (r *Runner) NativeKeys() []string { return r.nativeKeys(nil) }
