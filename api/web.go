package api

import (
	"embed"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/gin-gonic/gin"
)

// The web UI: static pages and assets embedded in the binary, served at /
// (the self-check, which needs no sign-in) and under /web/. The pages are
// plain HTML with one script each; the scripts call the JSON API with the
// signed-in user's key, so the UI can do exactly what the key may do and
// nothing the API does not check. Nothing is loaded from the internet.
//
// Pages live in web/pages/NAME.html and are served at /web/NAME; assets
// (CSS, JavaScript, images) in web/assets/ at /web/assets/FILE.

//go:embed web
var webFS embed.FS

// webCSP allows only the UI's own scripts, styles and images (and data:
// images for downloads and charts): no inline script, no framing.
const webCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
	"connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// webHeaders are the security headers of every page and asset.
func webHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", webCSP)
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
}

// handleWebIndex serves the landing page: the enterprise self-check.
func (s *Server) handleWebIndex(c *gin.Context) {
	s.servePage(c, "index")
}

// handleWebAsset serves /web/NAME (a page) and /web/assets/FILE.
func (s *Server) handleWebAsset(c *gin.Context) {
	p := path.Clean("/" + c.Param("path"))
	if rest, ok := strings.CutPrefix(p, "/assets/"); ok {
		s.serveWebFile(c, "web/assets/"+rest, "public, max-age=300")
		return
	}
	name := strings.TrimPrefix(p, "/")
	if name == "" || strings.Contains(name, "/") || strings.Contains(name, ".") {
		s.webNotFound(c)
		return
	}
	s.servePage(c, name)
}

func (s *Server) servePage(c *gin.Context, name string) {
	s.serveWebFile(c, "web/pages/"+name+".html", "no-cache")
}

// serveWebFile writes one embedded file, or the not-found page.
func (s *Server) serveWebFile(c *gin.Context, name, cache string) {
	b, err := fs.ReadFile(webFS, name)
	if err != nil {
		s.webNotFound(c)
		return
	}
	webHeaders(c)
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	c.Header("Cache-Control", cache)
	c.Data(http.StatusOK, ct, b)
}

// webNotFound is a page in plain Chinese, not the API's JSON envelope: a
// person followed a link.
func (s *Server) webNotFound(c *gin.Context) {
	webHeaders(c)
	b, err := fs.ReadFile(webFS, "web/pages/404.html")
	if err != nil {
		c.String(http.StatusNotFound, "页面不存在")
		return
	}
	c.Data(http.StatusNotFound, "text/html; charset=utf-8", b)
}
