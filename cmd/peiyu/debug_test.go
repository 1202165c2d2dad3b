package main

import (
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
)

func TestServeDebugListensOnLoopbackOnly(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	for _, addr := range []string{"0.0.0.0:0", "10.1.2.3:6060", ":6060", "example.com:6060", "nonsense"} {
		if stop, err := serveDebug(addr, log); err == nil {
			stop()
			t.Errorf("serveDebug(%q) accepted a non-loopback address", addr)
		}
	}
	stop, err := serveDebug("127.0.0.1:0", log)
	if err != nil {
		t.Fatal(err)
	}
	stop()
}

func TestServeDebugServesTheProfiler(t *testing.T) {
	// A fixed port is needed to reach it; pick a free one first.
	ln, addr := freeLoopback(t)
	ln.Close()
	stop, err := serveDebug(addr, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	resp, err := http.Get("http://" + addr + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(b), "goroutine profile") {
		t.Fatalf("status %d, body %.200q", resp.StatusCode, b)
	}
}

func freeLoopback(t *testing.T) (net.Listener, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln, ln.Addr().String()
}
