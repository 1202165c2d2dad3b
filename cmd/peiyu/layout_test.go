package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencyDirection keeps the layout of STYLE.md: registry ← rules ←
// api ← cmd; gin only in api; the MongoDB driver only in the registry's
// store and the embedded-server wiring (and the test helper built on them).
func TestDependencyDirection(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "github.com/peiyu/peiyu/...").Output()
	if err != nil {
		t.Skipf("go list unavailable: %v", err)
	}
	const mod = "github.com/peiyu/peiyu/"
	imports := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		imports[strings.TrimPrefix(f[0], mod)] = f[1:]
	}
	mongoOK := map[string]bool{"registry/store": true, "registry/embedded": true, "registry/storetest": true}
	ours := map[string][]string{
		// package: the packages of ours it may import
		"registry":          {},
		"registry/embedded": {},
		"registry/store":    {"registry"},
		"registry/sheet":    {"registry"},
		"rules":             {"registry"},
		"rules/screening":   {"registry", "rules"},
		"rules/native":      {"registry", "rules"},
		"rules/whitelist":   {"registry", "rules"},
		"rules/ledger":      {"registry", "rules"},
		"rules/points":      {"registry", "rules"},
		"seeds":             {"registry"},
		"api":               {"registry", "registry/sheet", "rules", "rules/screening", "rules/ledger", "rules/whitelist", "rules/points"},
	}
	for pkg, imps := range imports {
		for _, imp := range imps {
			if strings.HasPrefix(imp, "go.mongodb.org/") && !mongoOK[pkg] {
				t.Errorf("%s imports the MongoDB driver (%s)", pkg, imp)
			}
			if strings.HasPrefix(imp, "github.com/FerretDB/") && pkg != "registry/embedded" {
				t.Errorf("%s imports FerretDB (%s)", pkg, imp)
			}
			if strings.HasPrefix(imp, "github.com/gin-gonic/") && pkg != "api" {
				t.Errorf("%s imports gin (%s)", pkg, imp)
			}
			allowed, checked := ours[pkg]
			if !checked || !strings.HasPrefix(imp, mod) {
				continue
			}
			ok := false
			for _, a := range allowed {
				ok = ok || strings.TrimPrefix(imp, mod) == a
			}
			if !ok {
				t.Errorf("%s imports %s, against the layout's dependency direction", pkg, imp)
			}
		}
	}
}
