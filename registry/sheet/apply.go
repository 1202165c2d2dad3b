package sheet

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/peiyu/peiyu/registry"
)

// Store is the registry as an import needs it. *store.Store implements it.
type Store interface {
	// GetFirm errors: registry.ErrNotFound, registry.ErrUnavailable.
	GetFirm(ctx context.Context, uscc string) (*registry.Record, error)
	// UpsertFirm creates the firm, replaces it when its profile differs,
	// or leaves it alone, and says which: Created, Updated or Unchanged.
	// With dryRun it writes nothing and says what it would do. Errors:
	// registry.ErrInvalid, registry.ErrConflict, registry.ErrUnavailable.
	UpsertFirm(ctx context.Context, f registry.Firm, dryRun bool) (string, error)
}

// The outcomes of Store.UpsertFirm.
const (
	Created   = "created"
	Updated   = "updated"
	Unchanged = "unchanged"
)

// Options control Apply.
type Options struct {
	// DryRun validates and compares every firm but writes nothing; the
	// counts say what an import would do.
	DryRun bool
	// Region, when set, keeps the import to firms within this region
	// (registry.RegionWithin), both as stored and as imported: a staff
	// key's region. Other firms are refused as problems of their rows.
	Region string
	// Now is the validator's today; zero means time.Now.
	Now time.Time
	// Progress, when set, is called after each firm with the number done,
	// one call at a time.
	Progress func(done int)
	// Workers is how many firms are imported at a time; 0 means
	// DefaultWorkers. Firms are independent documents, so their order
	// does not matter; the report lists problems in file order all the
	// same.
	Workers int
}

// DefaultWorkers is the number of firms Apply imports at a time: the store
// round trips (a read, then a write when the firm changed) overlap.
const DefaultWorkers = 4

// Report is the outcome of an import: the counts of rows and firms, and
// every problem, sorted by sheet and row. Created + Updated + Unchanged +
// Failed = Firms.
type Report struct {
	Rows      int       `json:"rows"`
	Firms     int       `json:"firms"`
	Created   int       `json:"created"`
	Updated   int       `json:"updated"`
	Unchanged int       `json:"unchanged"`
	Failed    int       `json:"failed"`
	Problems  []Problem `json:"problems"`
	DryRun    bool      `json:"dry_run"`
}

// Apply imports a parsed file: for each firm in file order it fills in the
// parts the file lacks from the stored firm, validates it, maps every
// problem back to its sheet, row and column, and upserts the firm if it has
// none. A firm with a problem in any of its rows is not written; the others
// are. A file with a problem of its layout (File.Blocked) writes nothing.
//
// Each firm is one write of one document, so an import that stops part way
// — an outage, a cancelled context, a crash — has written whole firms only,
// and running it again completes it: the firms already written are then
// unchanged. Apply returns the report so far and an error when the store
// fails that way (registry.ErrUnavailable, a context error); any other
// failure of a firm is in the report.
func Apply(ctx context.Context, st Store, file *File, o Options) (Report, error) {
	rep := Report{Rows: file.Rows, Firms: len(file.Firms), DryRun: o.DryRun, Problems: slices.Clone(file.Problems)}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	err := apply(ctx, st, file, o, &rep)
	sortProblems(file, rep.Problems)
	if rep.Problems == nil {
		rep.Problems = []Problem{}
	}
	return rep, err
}

func apply(ctx context.Context, st Store, file *File, o Options, rep *Report) error {
	type result struct {
		outcome  string
		problems []Problem
		done     bool
	}
	results := make([]result, len(file.Firms))
	var (
		mu       sync.Mutex
		done     int
		firstErr error
	)
	next := make(chan int)
	var wg sync.WaitGroup
	for range cmp.Or(o.Workers, DefaultWorkers) {
		wg.Go(func() {
			for i := range next {
				outcome, problems, err := applyRetry(ctx, st, file, file.Firms[i], o)
				mu.Lock()
				if err != nil {
					firstErr = cmp.Or(firstErr, err)
				} else {
					results[i] = result{outcome, problems, true}
					done++
					if o.Progress != nil {
						o.Progress(done)
					}
				}
				mu.Unlock()
			}
		})
	}
	for i := range file.Firms {
		mu.Lock()
		stop := firstErr != nil
		mu.Unlock()
		if stop || ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	for _, r := range results {
		if !r.done {
			continue
		}
		rep.Problems = append(rep.Problems, r.problems...)
		switch r.outcome {
		case Created:
			rep.Created++
		case Updated:
			rep.Updated++
		case Unchanged:
			rep.Unchanged++
		default:
			rep.Failed++
		}
	}
	if done < len(file.Firms) {
		firstErr = cmp.Or(firstErr, ctx.Err())
	}
	if firstErr != nil {
		return fmt.Errorf("import stopped after %d of %d firms: %w", done, len(file.Firms), firstErr)
	}
	return nil
}

// applyRetry is applyOne, tried again a few times when the database is
// unavailable: after a restart the driver's pooled connections fail one
// by one before the pool is renewed, and one firm's import is idempotent.
func applyRetry(ctx context.Context, st Store, file *File, e *Entry, o Options) (string, []Problem, error) {
	delay := 100 * time.Millisecond
	for try := 1; ; try++ {
		outcome, problems, err := applyOne(ctx, st, file, e, o)
		if err == nil || !errors.Is(err, registry.ErrUnavailable) || try == 3 {
			return outcome, problems, err
		}
		select {
		case <-ctx.Done():
			return outcome, problems, err
		case <-time.After(delay):
		}
		delay *= 3
	}
}

// applyOne imports one firm. It returns its outcome ("" when it failed) and
// its problems; an error stops the import.
func applyOne(ctx context.Context, st Store, file *File, e *Entry, o Options) (string, []Problem, error) {
	if err := ctx.Err(); err != nil {
		return "", nil, err
	}
	problems := slices.Clone(e.Problems)
	if file.Blocked || len(problems) > 0 {
		return "", problems, nil
	}
	f := e.Firm
	var stored *registry.Firm
	if o.Region != "" || needsStored(file, e) {
		rec, err := st.GetFirm(ctx, e.USCC)
		switch {
		case errors.Is(err, registry.ErrNotFound):
		case errors.Is(err, registry.ErrInvalid):
			// A malformed USCC: the validator explains it below.
		case err != nil:
			return "", nil, err
		default:
			stored = &rec.Firm
		}
	}
	if stored == nil && e.Row == 0 {
		k, row := e.firstRow()
		return "", []Problem{{Sheet: file.name(k), Row: row, Field: "uscc", Column: file.header(k, 0), Problem: bilingual(
			"该企业尚未登记：请在“企业”表中填写它的一行（名称、区县等）再导入", "the firm is not registered: import its row of the firms sheet first")}}, nil
	}
	if stored != nil {
		f = merge(file, e, stored)
	}
	if o.Region != "" {
		if p := outside(file, e, &f, stored, o.Region); p != nil {
			return "", []Problem{*p}, nil
		}
	}
	f.Normalize()
	if err := f.Validate(o.Now); err != nil {
		return "", locate(file, e, err), nil
	}
	outcome, err := st.UpsertFirm(ctx, f, o.DryRun)
	switch {
	case errors.Is(err, registry.ErrInvalid):
		return "", locate(file, e, err), nil
	case errors.Is(err, registry.ErrConflict):
		k, row := e.firstRow()
		return "", []Problem{{Sheet: file.name(k), Row: row, Problem: bilingual(
			"该企业正被同时修改，未导入：请稍后重新导入", "the firm was being changed concurrently: import again")}}, nil
	case err != nil:
		return "", nil, err
	}
	switch outcome {
	case Created, Updated, Unchanged:
		return outcome, nil, nil
	}
	return "", nil, fmt.Errorf("upsert firm %s: unknown outcome %q", e.USCC, outcome)
}

// needsStored reports whether the file lacks a part of the firm that the
// stored firm must fill in.
func needsStored(file *File, e *Entry) bool {
	if e.Row == 0 {
		return true
	}
	for _, k := range Kinds[1:] {
		if !file.present[k] {
			return true
		}
	}
	return slices.Contains(file.columns[Firms], false)
}

// merge is the firm the file describes with the parts it lacks taken from
// the stored firm: columns of 企业 the file has not (all of them when the
// firm has no row there), and sheets it has not.
func merge(file *File, e *Entry, stored *registry.Firm) registry.Firm {
	f := e.Firm
	// The rows' slices and blocks are the entry's: copy what is changed.
	if f.Compliance != nil {
		c := *f.Compliance
		f.Compliance = &c
	}
	if f.Niche != nil {
		n := *f.Niche
		f.Niche = &n
	}
	if f.IP != nil {
		ip := *f.IP
		f.IP = &ip
	}
	complianceInFile := file.present[Incidents]
	for c, col := range sheets[Firms].cols {
		has := e.Row > 0 && file.columns[Firms][c]
		if has && strings.HasPrefix(col.key, "compliance.") {
			complianceInFile = true
		}
		if !has && c > 0 {
			copyField(&col, &f, stored)
		}
	}
	if !file.present[Years] {
		f.Years = slices.Clone(stored.Years)
	}
	if !file.present[Honors] {
		f.Honors = slices.Clone(stored.Honors)
	}
	if !file.present[Incidents] && stored.Compliance != nil && len(stored.Compliance.Incidents) > 0 {
		if f.Compliance == nil {
			f.Compliance = &registry.Compliance{}
		}
		f.Compliance.Incidents = slices.Clone(stored.Compliance.Incidents)
	}
	// A stored compliance block with nothing in it says "no incidents";
	// keep it when the file says nothing about compliance at all.
	if !complianceInFile && f.Compliance == nil && stored.Compliance != nil {
		f.Compliance = &registry.Compliance{}
	}
	prune(&f)
	return f
}

// copyField copies column col's field from src to dst, where src has it.
func copyField(col *column, dst, src *registry.Firm) {
	switch s := col.field(src, false).(type) {
	case *string:
		if *s != "" {
			*col.field(dst, true).(*string) = *s
		}
	case **int:
		if *s != nil {
			v := **s
			*col.field(dst, true).(**int) = &v
		}
	case **float64:
		if *s != nil {
			v := **s
			*col.field(dst, true).(**float64) = &v
		}
	case **bool:
		if *s != nil {
			v := **s
			*col.field(dst, true).(**bool) = &v
		}
	}
}

// outside refuses a firm outside the key's region, as stored or as
// imported.
func outside(file *File, e *Entry, f, stored *registry.Firm, region string) *Problem {
	k, row := e.firstRow()
	p := &Problem{Sheet: file.name(k), Row: row, Field: "region_code"}
	if k == Firms {
		p.Column = file.header(Firms, columnIndex(Firms, "region_code"))
	}
	switch {
	case stored != nil && !registry.RegionWithin(stored.RegionCode, region):
		p.Problem = bilingual(fmt.Sprintf("该企业已登记在本密钥管辖区域（%s）之外（%s），不能导入", region, stored.RegionCode),
			"the firm is registered outside this key's region "+region)
	case f.RegionCode == "":
		p.Problem = bilingual(fmt.Sprintf("所属区县代码必填：本密钥只能导入本辖区（%s）的企业", region),
			"required: this key imports firms of region "+region+" only")
	case !registry.RegionWithin(f.RegionCode, region):
		p.Problem = bilingual(fmt.Sprintf("所属区县代码 %s 不在本密钥的管辖区域（%s）内，不能导入", f.RegionCode, region),
			"outside this key's region "+region)
	default:
		return nil
	}
	return p
}

var pathRE = regexp.MustCompile(`^(years|honors|compliance\.incidents)(?:\[(\d+)\](?:\.(.+))?)?$`)

// locate maps the validator's problems with a firm back to the cells they
// come from.
func locate(file *File, e *Entry, err error) []Problem {
	var ve *registry.ValidationError
	if !errors.As(err, &ve) {
		k, row := e.firstRow()
		return []Problem{{Sheet: file.name(k), Row: row, Problem: err.Error()}}
	}
	out := make([]Problem, 0, len(ve.Problems))
	for _, vp := range ve.Problems {
		out = append(out, locateOne(file, e, vp))
	}
	return out
}

func locateOne(file *File, e *Entry, vp registry.Problem) Problem {
	p := Problem{Field: vp.Field, Problem: vp.Problem}
	fromStore := func(k Kind) {
		// The value came from the stored firm, not from the file: say
		// what the file must hold to correct it (a sheet the file has
		// replaces all of the firm's rows there).
		fk, row := e.firstRow()
		p.Sheet, p.Row = file.name(fk), row
		rows := "全部行"
		if k == Firms {
			rows = "一行"
		}
		p.Problem += "（已登记的数据，本文件没有“" + file.name(k) + "”表：请加上该表和该企业的" + rows + "，并改正此项）"
	}
	if m := pathRE.FindStringSubmatch(vp.Field); m != nil {
		k, rows := Years, e.YearRows
		switch m[1] {
		case "honors":
			k, rows = Honors, e.HonorRows
		case "compliance.incidents":
			k, rows = Incidents, e.IncidentRows
		}
		if !file.present[k] {
			fromStore(k)
			return p
		}
		i, _ := strconv.Atoi(m[2])
		p.Sheet = file.name(k)
		switch {
		case m[2] == "" && len(rows) > 0:
			p.Row = rows[0]
		case m[2] != "" && i < len(rows):
			p.Row = rows[i]
			p.Column = file.header(k, columnIndex(k, m[3]))
		default:
			_, p.Row = e.firstRow()
		}
		return p
	}
	p.Sheet, p.Row = file.name(Firms), e.Row
	if e.Row == 0 {
		fromStore(Firms)
		return p
	}
	c := columnIndex(Firms, vp.Field)
	p.Column = file.header(Firms, c)
	if c > 0 && !file.columns[Firms][c] {
		// The value came from the stored firm (or is missing): the clerk
		// must add the column to change it, not look for it in the file.
		p.Problem += "（本文件的“" + file.name(Firms) + "”表没有“" + p.Column + "”列：请加上该列并填写正确的值）"
	}
	return p
}

// columnIndex is the index of the column with key in sheet k, -1 for none.
func columnIndex(k Kind, key string) int {
	for c, col := range sheets[k].cols {
		if col.key == key {
			return c
		}
	}
	return -1
}

// name is sheet k's name in the file, the template's when it has none.
func (f *File) name(k Kind) string { return nonEmpty(f.names[k], k.Name()) }

// header is the header of column c of sheet k as the file spells it.
func (f *File) header(k Kind, c int) string {
	if c < 0 {
		return ""
	}
	if h := f.headers[k]; c < len(h) && h[c] != "" {
		return h[c]
	}
	return sheets[k].cols[c].header
}

// sortProblems orders problems by sheet (workbook order), then row.
func sortProblems(file *File, ps []Problem) {
	order := map[string]int{}
	for _, k := range Kinds {
		order[file.name(k)] = int(k) + 1
	}
	slices.SortStableFunc(ps, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(order[a.Sheet], order[b.Sheet]), cmp.Compare(a.Row, b.Row))
	})
}
