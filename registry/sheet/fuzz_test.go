package sheet_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/registry/sheet"
	"github.com/peiyu/peiyu/seeds"
)

// FuzzParseCSV checks the CSV reader on anything: it never panics; it
// refuses a file only with a *FileError; every problem and every firm is
// located on a row; and the firms it reads without problems that pass
// validation write back (WriteCSV) and read again to the same firms. The
// seed corpus is every sheet of real demo firms and the template's example,
// in UTF-8 and GBK, plus broken variants.
func FuzzParseCSV(f *testing.F) {
	firms := append(seeds.Generate(4, 1), sheet.Example())
	for _, k := range sheet.Kinds {
		data := csvOf(f, k, firms)
		f.Add(data)
		if gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes(bytes.TrimPrefix(data, []byte("\ufeff"))); err == nil {
			f.Add(gbk)
		}
		f.Add(bytes.ReplaceAll(data, []byte(","), []byte("\t")))
		f.Add(data[:len(data)/2])
	}
	for _, s := range []string{
		"", "\ufeff", "统一社会信用代码\n", "统一社会信用代码,企业名称,营收\nx,y,z\n",
		"统一社会信用代码,年度,营业收入\n91431202MA4L0A8C2G,2025,1.5\n,2025,1\n",
		"统一社会信用代码,资质类型,级别,认定日期\n91431202MA4L0A8C2G,高企,国家级,45627\n",
		"统一社会信用代码,企业名称\n\"unterminated\n", "a\"b,c\n", "统一社会信用代码,企业名称,名称\n1,2,3\n",
		"统一社会信用代码,企业名称,细分市场占有率,成立日期\n91431202MA4L0A8C2G,'=1+1,12%,2015年3月1日\n",
	} {
		f.Add([]byte(s))
	}
	today := time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := sheet.ParseCSV(data)
		if err != nil {
			var fe *sheet.FileError
			if !errors.As(err, &fe) || fe.Message == "" ||
				!errors.Is(err, sheet.ErrUnreadable) && !errors.Is(err, sheet.ErrTooLarge) {
				t.Fatalf("ParseCSV error %v is not a *FileError of a known kind", err)
			}
			return
		}
		located := func(p sheet.Problem) {
			if p.Sheet == "" || p.Row < 1 || p.Problem == "" {
				t.Fatalf("problem not located: %+v", p)
			}
		}
		for _, p := range file.Problems {
			located(p)
		}
		var kind sheet.Kind
		present := 0
		for _, k := range sheet.Kinds {
			if file.Has(k) {
				kind, present = k, present+1
			}
		}
		if present != 1 {
			t.Fatalf("a CSV file has %d sheets", present)
		}
		var good []registry.Firm
		for _, e := range file.Firms {
			if e.USCC == "" || e.USCC != registry.NormalizeUSCC(e.USCC) || e.Firm.USCC != e.USCC {
				t.Fatalf("firm with USCC %q (profile %q)", e.USCC, e.Firm.USCC)
			}
			for _, p := range e.Problems {
				located(p)
			}
			if len(e.Problems) == 0 && !file.Blocked && e.Firm.ValidateProfile(today) == nil {
				good = append(good, e.Firm)
			}
		}
		if len(good) == 0 {
			return
		}
		again, err := sheet.ParseCSV(csvOf(t, kind, good))
		if err != nil {
			t.Fatalf("the CSV written from %d good firms does not parse: %v", len(good), err)
		}
		var got []registry.Firm
		for _, e := range again.Firms {
			if len(e.Problems) > 0 {
				t.Fatalf("written firm %s reads with problems %v", e.USCC, e.Problems)
			}
			got = append(got, e.Firm)
		}
		if diff := cmp.Diff(good, got); diff != "" {
			t.Fatalf("write and read again (-first +second):\n%s", diff)
		}
	})
}
