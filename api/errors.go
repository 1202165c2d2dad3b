package api

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/peiyu/peiyu/registry"
)

// Error codes of the JSON envelope. Clients switch on the code; the message
// is for people.
const (
	CodeBadRequest       = "bad_request"
	CodeInvalid          = "invalid"
	CodeUnauthorized     = "unauthorized" // 401: no key, or an unknown or revoked one
	CodeForbidden        = "forbidden"    // 403: the key's role or scope does not reach
	CodeTooManyRequests  = "too_many_requests"
	CodeNotFound         = "not_found"
	CodeMethodNotAllowed = "method_not_allowed"
	CodeConflict         = "conflict"
	CodeTooLarge         = "too_large"
	CodeUnsupportedMedia = "unsupported_media_type"
	CodeUnavailable      = "unavailable"
	CodeInternal         = "internal"
)

// Error is an API error: an HTTP status and the envelope's contents. Handlers
// return it (or a registry error kind, mapped by the table below).
type Error struct {
	Status  int
	Code    string
	Message string
	Details []registry.Problem
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// envelope is the one shape of every non-2xx body:
// {"error": {"code", "message", "details": [{"field", "problem"}]}}.
type envelope struct {
	Error envelopeBody `json:"error"`
}

type envelopeBody struct {
	Code    string             `json:"code"`
	Message string             `json:"message"`
	Details []registry.Problem `json:"details"`
}

// badRequest is a 400 naming one field.
func badRequest(field, zh, en string) *Error {
	msg := zh
	if en != "" {
		msg = zh + " (" + en + ")"
	}
	e := &Error{Status: http.StatusBadRequest, Code: CodeBadRequest, Message: msg}
	if field != "" {
		e.Details = []registry.Problem{{Field: field, Problem: msg}}
	}
	return e
}

// kindTable maps each registry error kind to its status, code and the
// message shown to clients. Anything else is an internal error whose text
// is logged, never shown.
var kindTable = []struct {
	kind    error
	status  int
	code    string
	message string
}{
	{registry.ErrInvalid, http.StatusBadRequest, CodeInvalid, "数据校验未通过，请按字段说明修改 (validation failed)"},
	{registry.ErrNotFound, http.StatusNotFound, CodeNotFound, "未找到该企业 (not found)"},
	{registry.ErrConflict, http.StatusConflict, CodeConflict, "数据已被修改或已存在，请刷新后重试 (conflict)"},
	{registry.ErrUnavailable, http.StatusServiceUnavailable, CodeUnavailable, "数据库暂时不可用，请稍后重试 (database unavailable, retry later)"},
}

// toAPIError maps any error to the error returned to the client.
func toAPIError(err error) *Error {
	var ae *Error
	if errors.As(err, &ae) {
		return ae
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return tooLarge(mbe.Limit)
	}
	for _, k := range kindTable {
		if errors.Is(err, k.kind) {
			e := &Error{Status: k.status, Code: k.code, Message: k.message}
			var ve *registry.ValidationError
			if errors.As(err, &ve) {
				e.Details = ve.Problems
			}
			return e
		}
	}
	return &Error{Status: http.StatusInternalServerError, Code: CodeInternal,
		Message: "服务器内部错误，已记录，请稍后重试 (internal error)"}
}

// writeError answers with the envelope for err and aborts the chain.
// Internal errors are logged with the request ID; their text never reaches
// the client.
func writeError(c *gin.Context, err error) {
	ae := toAPIError(err)
	if ae.Status >= 500 {
		logger(c).LogAttrs(c.Request.Context(), slog.LevelError, "request failed",
			slog.String("request_id", c.GetString(ctxRequestID)),
			slog.String("method", c.Request.Method),
			slog.String("path", c.Request.URL.Path),
			slog.Int("status", ae.Status),
			slog.String("error", err.Error()))
	}
	details := ae.Details
	if details == nil {
		details = []registry.Problem{}
	}
	if ae.Status == http.StatusServiceUnavailable {
		c.Header("Retry-After", "5")
		// A write whose reply was lost with the connection may have been
		// made: say so, so that nobody blindly repeats it.
		if c.Request.Method != http.MethodGet && errors.Is(err, registry.ErrUnavailable) && !strings.Contains(ae.Message, "可能已") {
			ae = &Error{Status: ae.Status, Code: ae.Code, Details: ae.Details,
				Message: ae.Message + "；若为修改操作，可能已经生效，请先查看再重试 (a change may have been made: check before retrying)"}
		}
	}
	c.AbortWithStatusJSON(ae.Status, envelope{Error: envelopeBody{Code: ae.Code, Message: ae.Message, Details: details}})
}
