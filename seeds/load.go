package seeds

import (
	"context"
	"fmt"

	"github.com/peiyu/peiyu/registry"
)

// Loader stores firms whose USCC is not yet in the registry and leaves the
// others untouched, returning how many were new. *store.Store implements it.
type Loader interface {
	InsertMissing(ctx context.Context, firms []registry.Firm) (int, error)
}

// batchSize is the number of firms Load hands to the Loader at a time.
const batchSize = 500

// Load puts the n demo firms of seed into the registry and returns how many
// were new. It is idempotent: firms already present (by USCC) are left as
// they are, so a second Load inserts nothing, and since a smaller n is a
// prefix of a larger one, Load(n) after Load(m < n) adds just the rest.
//
// Firms are generated and inserted a batch at a time, so memory stays flat
// for any n. On error Load stops and returns the count inserted so far with
// the Loader's error wrapped (registry.ErrInvalid, registry.ErrUnavailable),
// or the context's error; a rerun picks up where it stopped. n ≤ 0 loads
// nothing; n above MaxFirms is an error and loads nothing.
func Load(ctx context.Context, st Loader, n int, seed uint64) (inserted int, err error) {
	return LoadProgress(ctx, st, n, seed, nil)
}

// LoadProgress is Load calling progress, when not nil, after each batch
// with the number of firms generated so far.
func LoadProgress(ctx context.Context, st Loader, n int, seed uint64, progress func(done int)) (inserted int, err error) {
	if n > MaxFirms {
		return 0, fmt.Errorf("seeds: load %d firms: at most %d per seed", n, MaxFirms)
	}
	batch := make([]registry.Firm, 0, batchSize)
	for start := 0; start < n; start += batchSize {
		if err := ctx.Err(); err != nil {
			return inserted, err
		}
		end := min(start+batchSize, n)
		batch = batch[:0]
		for i := start; i < end; i++ {
			f, _ := firmAt(seed, i)
			batch = append(batch, f)
		}
		k, err := st.InsertMissing(ctx, batch)
		inserted += k
		if err != nil {
			return inserted, fmt.Errorf("seeds: load firms %d–%d: %w", start, end-1, err)
		}
		if progress != nil {
			progress(end)
		}
	}
	return inserted, nil
}
