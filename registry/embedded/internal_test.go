package embedded

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
)

func TestWarnOnlyAppliesAttrsAndGroupsWhenItHandles(t *testing.T) {
	var buf bytes.Buffer
	base := slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})
	l := slog.New(warnOnly{base: base}).With("component", "ferretdb")
	conn := l.With("conn", 7)
	conn.With("query", "INSERT").Debug("dropped")
	if buf.Len() != 0 {
		t.Fatalf("debug record was written: %q", buf.String())
	}
	conn.WithGroup("sql").With("args", 3).Warn("slow")
	// A sibling derived from the same parent must not see the other's attrs.
	conn.With("other", true).Error("broken")
	got := buf.String()
	lines := strings.Split(strings.TrimSpace(got), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 lines, got %q", got)
	}
	for _, want := range []string{"component=ferretdb", "conn=7", "sql.args=3", "msg=slow"} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("line %q lacks %q", lines[0], want)
		}
	}
	if strings.Contains(lines[1], "sql.") || strings.Contains(lines[1], "args") || !strings.Contains(lines[1], "other=true") {
		t.Errorf("sibling logger shares attrs: %q", lines[1])
	}
	if strings.Contains(got, "query=") {
		t.Errorf("attrs of a dropped record leaked: %q", got)
	}
	l.Warn("Response header: noise")
	if strings.Contains(buf.String(), "noise") {
		t.Error("wire dump was not dropped")
	}
	if !(warnOnly{base: base}).Enabled(context.Background(), slog.LevelWarn) || (warnOnly{base: base}).Enabled(context.Background(), slog.LevelInfo) {
		t.Error("Enabled: want warn and above only")
	}
}

func BenchmarkWarnOnlyWith(b *testing.B) {
	l := slog.New(warnOnly{base: slog.NewTextHandler(&bytes.Buffer{}, nil)})
	doc := strings.Repeat(`{"uscc":"91431202MA0LXTP999","action":"whitelist.lookup"}`, 8)
	b.ReportAllocs()
	for b.Loop() {
		l.With("sql", "INSERT INTO t VALUES (?)", "args", doc).Debug(">>> INSERT")
	}
}

// TestSQLiteConfigured checks that the process-wide SQLite options were
// accepted: they are refused once any connection has opened, so a Start
// that set them too late would only warn.
func TestSQLiteConfigured(t *testing.T) {
	if !configureSQLite() {
		t.Fatal("SQLite options refused: a connection opened before configureSQLite ran")
	}
}
