package rules_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/peiyu/peiyu/rules"
)

// groups is a block mapping of n keys: "groups" and n-1 groups under it.
func groups(n int) string {
	var b strings.Builder
	b.WriteString("groups:\n")
	for i := range n - 1 {
		fmt.Fprintf(&b, "  g%d: 组\n", i)
	}
	return b.String()
}

// The YAML parser takes time quadratic in the keys of a block mapping, in
// the documents of a stream, and (quoting the lines around an error) in
// the tokens of a line: a 370 KB draft of 32,000 keys under one key took 3
// s to parse, 16,000 documents "---\nid: x\n" (160 KB) over 1 s, a
// duplicate key on a line of 48,000 tokens (100 KB) 0.7 s, and each far
// longer at the 1 MB a request may carry. ParsePack refuses such YAML
// before it parses it, as it refuses deep nesting.
func TestRegressionParsePackRefusesQuadraticYAML(t *testing.T) {
	for _, tc := range []struct {
		name, src, err string
	}{
		{"32,000 keys in one mapping", groups(32_000),
			`x.yaml:5001:8: 规则包的键（{…}之外的"键:"）超过5000个; more than 5000 mapping keys ("key:" outside {…}) in one pack`},
		{"keys of all mappings count", "criteria:\n" + strings.Repeat("  - id: a\n    kind: hard\n", 3000),
			`x.yaml:5001:9: 规则包的键（{…}之外的"键:"）超过5000个; more than 5000 mapping keys ("key:" outside {…}) in one pack`},
		{"16,000 documents", strings.Repeat("---\nid: x\n", 16_000),
			`x.yaml:3:1: 规则包只能是一个YAML文档，"---"只能出现在开头; a pack is one YAML document: "---" may only start it`},
		{"a second document", "id: x\n---\nid: y\n",
			`x.yaml:2:1: 规则包只能是一个YAML文档，"---"只能出现在开头; a pack is one YAML document: "---" may only start it`},
		{"a document after the end", "id: x\n...\nid: y\n",
			`x.yaml:3:1: 规则包只能是一个YAML文档，"..."之后不能再有内容; a pack is one YAML document: nothing may follow "..."`},
		{"48,000 tokens on one line", "groups: {" + strings.Repeat("g: 组, ", 12_000) + "}\n",
			`x.yaml:1:1505: 一行的YAML记号超过1000个，请分行书写; more than 1000 YAML tokens on one line: break it into lines`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := rules.ParsePack("x.yaml", []byte(tc.src))
			if err == nil || err.Error() != tc.err {
				t.Errorf("ParsePack(%.30q…) = %v, want %s", tc.src, err, tc.err)
			}
		})
	}
	var flow strings.Builder
	flow.WriteString("groups: {\n")
	for i := range 6000 {
		fmt.Fprintf(&flow, "  g%d: 组,\n", i)
	}
	flow.WriteString("}\n")
	for _, tc := range []struct{ name, src string }{
		{"5,000 keys", groups(5000)},
		{"keys of flow mappings do not count", flow.String()},
		{"a start marker", "# 注释\n---\nid: x\n"},
		{"a directive and a start marker", "%YAML 1.2\n---\nid: x\n"},
		{"an end marker and comments", "id: x\n...\n# 注释\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := rules.ParsePack("x.yaml", []byte(tc.src)); err != nil {
				t.Errorf("ParsePack(%.30q…) = %v", tc.src, err)
			}
		})
	}
}
