package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
)

// decodeJSON reads the request body strictly into v: JSON content type (or
// none, or curl's default form type, whose body must still be JSON), valid UTF-8, one value, no unknown fields, body within
// MaxBodyBytes. Every failure is an *Error naming the field where one is
// known.
func decodeJSON(c *gin.Context, v any) error {
	if ct := c.GetHeader("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json") && mt != "application/x-www-form-urlencoded") {
			return &Error{Status: http.StatusUnsupportedMediaType, Code: CodeUnsupportedMedia,
				Message: "请求体应为 JSON（Content-Type: application/json）(body must be JSON)"}
		}
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return tooLarge(mbe.Limit)
		}
		return badRequest("", "读取请求体失败", "cannot read request body")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return badRequest("", "请求体为空", "request body is empty")
	}
	if !utf8.Valid(body) {
		return badRequest("", "请求体包含无效的 UTF-8 字符", "request body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return badRequest("", "请求体只能包含一个 JSON 值", "unexpected data after the JSON value")
	}
	return nil
}

func tooLarge(limit int64) *Error {
	return &Error{Status: http.StatusRequestEntityTooLarge, Code: CodeTooLarge,
		Message: "请求体过大，上限为 1 MiB (request body exceeds the limit)"}
}

// jsonError explains a decoding failure, naming the field for type errors
// and unknown fields.
func jsonError(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return badRequest("", "JSON 格式错误（第 "+itoa(se.Offset)+" 字节附近）", "malformed JSON: "+se.Error())
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			return badRequest("", "请求体应为 JSON 对象", "body must be a JSON object, got "+te.Value)
		}
		return badRequest(field, "字段类型错误：应为"+typeName(te.Type.Kind().String())+"，实为 "+te.Value,
			"wrong type: expected "+te.Type.String()+", got "+te.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("", "JSON 不完整", "truncated JSON")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return badRequest(name, "未知字段“"+name+"”", "unknown field")
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return tooLarge(mbe.Limit)
	}
	return badRequest("", "无法解析请求体", err.Error())
}

func typeName(kind string) string {
	switch kind {
	case "int", "int64", "int32", "uint", "uint64":
		return "整数"
	case "float64", "float32":
		return "数字"
	case "string":
		return "字符串"
	case "bool":
		return "布尔值"
	case "slice":
		return "数组"
	case "struct", "ptr", "map":
		return "对象"
	}
	return kind
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
