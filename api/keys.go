package api

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/peiyu/peiyu/registry"
)

// keyRequest is the body of POST /keys.
type keyRequest struct {
	Role       registry.Role `json:"role"`
	Name       string        `json:"name"`
	RegionCode string        `json:"region_code"`
	USCC       string        `json:"uscc"`
}

// keyCreated is the answer to POST /keys: the key itself, shown this once,
// and its record.
type keyCreated struct {
	Key string `json:"key"`
	registry.APIKey
}

var errNoKey = &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: "未找到该 API 密钥 (no such key)"}

func (s *Server) keyStore(c *gin.Context) (KeyStore, bool) {
	if s.cfg.Keys == nil {
		writeError(c, &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable, Message: "密钥存储未配置 (no key store configured)"})
		return nil, false
	}
	return s.cfg.Keys, true
}

// handleKeyCreate makes a key: 201 with the key in plain text, which is
// not stored and never shown again, and Location /api/v1/keys/{id}.
func (s *Server) handleKeyCreate(c *gin.Context) {
	ks, ok := s.keyStore(c)
	if !ok || !allowQuery(c) {
		return
	}
	var req keyRequest
	if err := decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	k := registry.APIKey{Name: req.Name, Role: req.Role, CreatedBy: actor(c),
		Scope: registry.KeyScope{RegionCode: req.RegionCode, USCC: req.USCC}}
	if err := k.Validate(); err != nil {
		writeError(c, err)
		return
	}
	secret := registry.NewKeySecret()
	created, err := ks.CreateKey(c.Request.Context(), k, registry.HashKey(secret))
	if err != nil {
		writeError(c, err)
		return
	}
	if v, ok := c.Get(ctxAudit); ok && k.Scope.USCC != "" {
		v.(*auditNote).uscc = k.Scope.USCC
	}
	c.Header("Location", "/api/v1/keys/"+created.ID)
	c.JSON(http.StatusCreated, keyCreated{Key: secret, APIKey: *created})
}

// handleKeyList lists every key, revoked ones included, oldest first;
// never a key or its hash.
func (s *Server) handleKeyList(c *gin.Context) {
	ks, ok := s.keyStore(c)
	if !ok || !allowQuery(c) {
		return
	}
	keys, err := ks.ListKeys(c.Request.Context())
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": keys})
}

// handleKeyRevoke revokes a key: 204 (again for a revoked key), 404 for an
// unknown one. The key stops working in this process at once, in other
// replicas within keyCacheTTL.
func (s *Server) handleKeyRevoke(c *gin.Context) {
	ks, ok := s.keyStore(c)
	if !ok || !allowQuery(c) {
		return
	}
	id := c.Param("id")
	if !uuidRE.MatchString(id) {
		writeError(c, errNoKey)
		return
	}
	_, err := ks.RevokeKey(c.Request.Context(), id, actor(c))
	if errors.Is(err, registry.ErrNotFound) {
		err = errNoKey
	}
	if err != nil {
		writeError(c, err)
		return
	}
	s.keys.forget(id)
	c.Status(http.StatusNoContent)
}

// handleMe answers who the caller's key is: its id, name, role and scope
// (never the key), so that the web UI can sign a user in and show what the
// role may do.
func (s *Server) handleMe(c *gin.Context) {
	if !allowQuery(c) {
		return
	}
	c.JSON(http.StatusOK, apiKey(c))
}
