package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/rules"
)

const rulesUsage = `Usage:
  peiyu rules test [--packs DIR] [-v]     run every pack's embedded cases
  peiyu rules lint [--packs DIR]          check packs (bands, citations, coverage)
  peiyu rules eval --profile FILE [--as-of D] [--programs a,b] [--review]
                                          evaluate a profile (JSON) and print the result
`

// runRules is "peiyu rules …". --packs reads pack files from a directory
// (an edited copy) instead of the embedded ones.
func runRules(_ context.Context, args []string, _ func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, rulesUsage)
		return errUsage
	}
	sub, rest := args[0], args[1:]
	fs := flag.NewFlagSet("rules "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("packs", "", "read *.yaml packs from this directory instead of the embedded ones")
	verbose := fs.Bool("v", false, "list every case, not only failures")
	profile := fs.String("profile", "", "profile JSON file (rules eval)")
	asOf := fs.String("as-of", "", "evaluation date YYYY-MM-DD (default today)")
	programs := fs.String("programs", "", "comma-separated program ids (default all)")
	review := fs.Bool("review", false, "re-review (复核) mode")
	if err := fs.Parse(rest); err != nil {
		return errUsage
	}
	packs, err := loadPacks(*dir)
	if err != nil {
		return err
	}
	switch sub {
	case "test":
		eng, err := rules.New(packs)
		if err != nil {
			return err
		}
		return rulesTest(eng, *verbose, stdout)
	case "lint":
		findings := rules.Lint(packs)
		for _, f := range findings {
			fmt.Fprintln(stdout, f)
		}
		if len(findings) > 0 {
			return fmt.Errorf("lint: %d finding(s) in %d pack(s)", len(findings), len(packs))
		}
		fmt.Fprintf(stdout, "lint: %d packs, no findings\n", len(packs))
		return nil
	case "eval":
		eng, err := rules.New(packs)
		if err != nil {
			return err
		}
		return rulesEval(eng, *profile, *asOf, *programs, *review, stdout)
	}
	fmt.Fprintf(stderr, "peiyu rules: unknown subcommand %q\n\n%s", sub, rulesUsage)
	return errUsage
}

func loadPacks(dir string) ([]*rules.Pack, error) {
	if dir == "" {
		return rules.EmbeddedPacks()
	}
	return rules.ParseFS(os.DirFS(dir), ".")
}

// rulesTest prints a table of case results and fails if any case failed.
func rulesTest(eng *rules.Engine, verbose bool, stdout io.Writer) error {
	results := eng.RunCases()
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	header := false
	failed := 0
	perPack := map[string][2]int{}
	for _, r := range results {
		n := perPack[r.Pack]
		n[0]++
		if !r.Passed() {
			failed++
		} else {
			n[1]++
		}
		perPack[r.Pack] = n
		if r.Passed() && !verbose {
			continue
		}
		if !header {
			fmt.Fprintln(tw, "PACK\tCASE\tRESULT\tSTATUS\tSCORE")
			header = true
		}
		score := "-"
		if r.Score != nil {
			score = fmt.Sprint(*r.Score)
		}
		res := "ok"
		if !r.Passed() {
			res = "FAIL"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Pack, r.Name, res, r.Status, score)
		for _, p := range r.Problems {
			fmt.Fprintf(tw, "\t  %s\t\t\t\n", p)
		}
	}
	if header {
		fmt.Fprintln(tw)
	}
	tw.Flush()
	tw = tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PACK\tCASES\tPASSED")
	for _, k := range eng.Known() {
		n := perPack[k]
		fmt.Fprintf(tw, "%s\t%d\t%d\n", k, n[0], n[1])
	}
	tw.Flush()
	fmt.Fprintf(stdout, "\n%d cases, %d passed, %d failed\n", len(results), len(results)-failed, failed)
	if failed > 0 {
		return fmt.Errorf("rules test: %d case(s) failed", failed)
	}
	return nil
}

// rulesEval evaluates a profile file, as the self-check API does.
func rulesEval(eng *rules.Engine, file, asOf, programs string, review bool, stdout io.Writer) error {
	if file == "" {
		return errors.New("rules eval: --profile FILE is required")
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var f registry.Firm
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	f.Normalize()
	if err := f.ValidateProfile(time.Now()); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	d := time.Now().UTC().Truncate(24 * time.Hour)
	if asOf != "" {
		if d, err = registry.ParseDate(asOf); err != nil {
			return fmt.Errorf("--as-of: %w", err)
		}
	}
	var sel []string
	if programs != "" {
		sel = strings.Split(programs, ",")
	}
	res, err := eng.Evaluate(rules.Request{Firm: &f, AsOf: d, Programs: sel, Review: review, Explain: true})
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(map[string]any{"as_of": d.Format(registry.DateLayout), "results": res})
}
