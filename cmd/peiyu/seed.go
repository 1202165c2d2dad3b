package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/peiyu/peiyu/seeds"
)

// runSeed loads deterministic synthetic firms. It is idempotent: firms whose
// USCC is already registered are left as they are.
func runSeed(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var cfg config
	var n int
	var seed uint64
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&n, "firms", 500, "number of synthetic firms")
	fs.Uint64Var(&seed, "seed", 1, "generator seed: the same seed gives the same firms")
	storageFlags(fs, &cfg, getenv)
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if n < 0 || n > 1_000_000 {
		return fmt.Errorf("--firms %d: want 0 to 1000000", n)
	}
	db, _, err := openDatabase(ctx, &cfg, stderr)
	if err != nil {
		return err
	}
	defer db.Close(context.Background())
	if err := db.Store.EnsureIndexes(ctx); err != nil {
		return err
	}
	start := time.Now()
	inserted, err := seeds.Load(ctx, db.Store, n, seed)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "seed %d: %d firms generated, %d new, %d already present (%s) into %s\n",
		seed, n, inserted, n-inserted, time.Since(start).Round(time.Millisecond), db.Where)
	return nil
}
