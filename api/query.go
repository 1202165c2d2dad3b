package api

import (
	"net/http"
	"slices"
	"sort"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/peiyu/peiyu/registry"
)

// allowQuery refuses query parameters outside allowed, repeated ones and
// invalid UTF-8, answering the request itself; ok false means it did.
func allowQuery(c *gin.Context, allowed ...string) (ok bool) {
	var problems []registry.Problem
	for k, vs := range c.Request.URL.Query() {
		msg := ""
		switch {
		case !slices.Contains(allowed, k):
			msg = "不支持的查询参数 (unknown query parameter)"
		case len(vs) > 1:
			msg = "查询参数只能出现一次 (parameter given more than once)"
		case !utf8.ValidString(vs[0]) || len(vs[0]) > 1000:
			msg = "查询参数无效 (invalid value)"
		}
		if msg != "" {
			problems = append(problems, registry.Problem{Field: k, Problem: msg})
		}
	}
	if len(problems) == 0 {
		return true
	}
	sort.Slice(problems, func(i, j int) bool { return problems[i].Field < problems[j].Field })
	writeError(c, &Error{Status: http.StatusBadRequest, Code: CodeInvalid,
		Message: "查询参数有误 (invalid query parameters)", Details: problems})
	return false
}
