package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
)

// decodeJSON reads the request body strictly into v: JSON content type (or
// none, or curl's default form type, whose body must still be JSON), valid
// UTF-8, one JSON object (not null), no unknown fields — field names are
// matched exactly, not ignoring case as encoding/json does — body within
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
	// A JSON null decodes into a struct without an error, leaving it as
	// it was: a body of null would be taken for {}.
	if bytes.TrimSpace(body)[0] != '{' {
		return badRequest("", "请求体应为 JSON 对象", "body must be a JSON object")
	}
	return checkKeyCase(body, reflect.TypeOf(v))
}

// checkKeyCase refuses an object key that names a field of t only when
// case is ignored ("REGION_CODE", "Region_Code" for region_code).
// encoding/json matches keys case-insensitively, so such a key would fill
// the field, unseen by anything that reads the body by its exact keys —
// the access middleware checks a staff key's region at "region_code", and
// {"region_code": "<own region>", "Region_Code": "<another>"} would pass
// it with the other region. body has decoded into t without an error.
func checkKeyCase(body []byte, t reflect.Type) error {
	var doc any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if dec.Decode(&doc) != nil {
		return nil
	}
	if field := foldedKey(doc, t, ""); field != "" {
		return badRequest(field, "未知字段“"+field+"”（字段名区分大小写）", "unknown field (field names are case-sensitive)")
	}
	return nil
}

var jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()

// foldedKey returns the path of the first key of v, as decoded into t,
// that matches a field of its struct only ignoring case; "" when none.
func foldedKey(v any, t reflect.Type, path string) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(jsonUnmarshaler) {
		return ""
	}
	join := func(k string) string {
		if path == "" {
			return k
		}
		return path + "." + k
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, _ := v.(map[string]any)
		fields := jsonFields(t)
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if ft, ok := fields[k]; ok {
				if f := foldedKey(obj[k], ft, join(k)); f != "" {
					return f
				}
				continue
			}
			for name := range fields {
				if strings.EqualFold(name, k) {
					return join(k)
				}
			}
		}
	case reflect.Slice, reflect.Array:
		arr, _ := v.([]any)
		for i, e := range arr {
			if f := foldedKey(e, t.Elem(), path+"["+strconv.Itoa(i)+"]"); f != "" {
				return f
			}
		}
	case reflect.Map:
		obj, _ := v.(map[string]any)
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if f := foldedKey(obj[k], t.Elem(), join(k)); f != "" {
				return f
			}
		}
	}
	return ""
}

var jsonFieldCache sync.Map // reflect.Type → map[string]reflect.Type

// jsonFields maps the JSON names of a struct's fields, those of embedded
// structs included, to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	if m, ok := jsonFieldCache.Load(t); ok {
		return m.(map[string]reflect.Type)
	}
	m := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		ft := f.Type
		if f.Anonymous && name == "" {
			et := ft
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				for k, v := range jsonFields(et) {
					if _, ok := m[k]; !ok {
						m[k] = v
					}
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		m[name] = ft
	}
	jsonFieldCache.Store(t, m)
	return m
}

func tooLarge(limit int64) *Error {
	size := strconv.FormatInt(limit>>20, 10) + " MiB"
	if limit < 1<<20 {
		size = strconv.FormatInt(limit, 10) + " 字节"
	}
	return &Error{Status: http.StatusRequestEntityTooLarge, Code: CodeTooLarge,
		Message: "请求体过大，上限为 " + size + " (request body exceeds the limit)"}
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
