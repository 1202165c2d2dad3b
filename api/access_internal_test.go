package api

import (
	"encoding/json"
	"testing"
	"time"
)

// TestAccessTableCoversRoutes fails when the router has a route the access
// table does not list (it would be refused to all but admin keys), or the
// table lists a route the router lacks.
func TestAccessTableCoversRoutes(t *testing.T) {
	s := New(Config{})
	routed := map[string]bool{}
	for _, r := range s.engine.Routes() {
		k := r.Method + " " + r.Path
		routed[k] = true
		if accessByRoute[k] == nil {
			t.Errorf("%s is routed but not in accessTable (access.go)", k)
		}
	}
	for k := range accessByRoute {
		if !routed[k] {
			t.Errorf("accessTable lists %s, which is not routed", k)
		}
	}
}

func TestLimiter(t *testing.T) {
	l := newLimiter(RateLimit{PerSecond: 2, Burst: 2})
	now := time.Date(2026, 6, 30, 9, 0, 0, 0, time.UTC)
	for i, want := range []bool{true, true, false} {
		if ok, _ := l.allow("a", now); ok != want {
			t.Errorf("allow #%d = %v, want %v", i+1, ok, want)
		}
	}
	if _, wait := l.allow("a", now); wait != 500*time.Millisecond {
		t.Errorf("wait = %v, want 500ms", wait)
	}
	if ok, _ := l.allow("a", now.Add(500*time.Millisecond)); !ok {
		t.Error("no token after 500ms at 2/s")
	}
	l.allow("b", now)
	// A minute later both buckets are full again: the next call sweeps them.
	l.allow("c", now.Add(time.Minute))
	if _, ok := l.buckets["a"]; ok || len(l.buckets) != 1 {
		t.Errorf("after the sweep: %d buckets, want only c's", len(l.buckets))
	}
	if ok, _ := newLimiter(RateLimit{PerSecond: -1}).allow("a", now); !ok {
		t.Error("a negative rate must not limit")
	}
	if d := newLimiter(RateLimit{}); d.rate != DefaultSelfCheckLimit.PerSecond || d.burst != float64(DefaultSelfCheckLimit.Burst) {
		t.Errorf("zero RateLimit = %v/%v, want the default", d.rate, d.burst)
	}
}

func TestClientKey(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.1":            "192.0.2.1",
		"2001:db8:1:2:3:4:5:6": "2001:db8:1:2::/64",
		"::ffff:192.0.2.1":     "::ffff:192.0.2.1",
		"not an ip":            "not an ip",
	} {
		if got := clientKey(in); got != want {
			t.Errorf("clientKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestJSONBody(t *testing.T) {
	tests := []struct {
		body, path string
		v          string
		present    bool
	}{
		{`{"region_code":"431202"}`, "region_code", "431202", true},
		{`{"region_code":""}`, "region_code", "", false},
		{`{"region_code":null}`, "region_code", "", false},
		{`{"region_code":431202}`, "region_code", "", true},
		{`{}`, "filter.region_code", "", false},
		{`{"filter":null}`, "filter.region_code", "", false},
		{`{"filter":{}}`, "filter.region_code", "", false},
		{`{"filter":{"region_code":"431281"}}`, "filter.region_code", "431281", true},
		{`{"filter":"431281"}`, "filter.region_code", "", true},
	}
	for _, tt := range tests {
		b := &jsonBody{}
		if err := json.Unmarshal([]byte(tt.body), &b.obj); err != nil {
			t.Fatal(err)
		}
		if v, ok := b.get(tt.path); v != tt.v || ok != tt.present {
			t.Errorf("get(%s, %s) = %q, %v; want %q, %v", tt.body, tt.path, v, ok, tt.v, tt.present)
		}
	}
	b := &jsonBody{}
	_ = json.Unmarshal([]byte(`{"programs":["tech-sme"],"filter":{"chain":"竹业"},"as_of":"2026-06-30"}`), &b.obj)
	b.set("filter.region_code", "431202")
	if got, want := string(b.raw), `{"as_of":"2026-06-30","filter":{"chain":"竹业","region_code":"431202"},"programs":["tech-sme"]}`; got != want {
		t.Errorf("set = %s, want %s", got, want)
	}
}

func TestJSONBodyFolded(t *testing.T) {
	for _, tc := range []struct{ body, path, want string }{
		{`{"region_code":"431202"}`, "region_code", ""},
		{`{"Region_Code":"110105"}`, "region_code", "Region_Code"},
		{`{"filter":{"REGION_CODE":"110105"}}`, "filter.region_code", "filter.REGION_CODE"},
		{`{"Filter":{"region_code":"110105"}}`, "filter.region_code", "Filter"},
		{`{"filter":"x"}`, "filter.region_code", ""},
	} {
		b := &jsonBody{}
		if err := json.Unmarshal([]byte(tc.body), &b.obj); err != nil {
			t.Fatal(err)
		}
		if got := b.folded(tc.path); got != tc.want {
			t.Errorf("folded(%s, %s) = %q, want %q", tc.body, tc.path, got, tc.want)
		}
	}
}
