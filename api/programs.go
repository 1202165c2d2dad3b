package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/peiyu/peiyu/rules"
)

// programSummary is one program in GET /programs.
type programSummary struct {
	ID       string           `json:"id"`
	Name     string           `json:"name"`
	NameEN   string           `json:"name_en"`
	Honor    string           `json:"honor,omitempty"`
	Ladder   rules.Ladder     `json:"ladder"`
	InForce  string           `json:"in_force"`
	Editions []editionSummary `json:"editions"`
}

type editionSummary struct {
	Edition   string       `json:"edition"`
	Revision  int          `json:"revision"`
	Effective rules.Period `json:"effective"`
	Basis     []string     `json:"basis"`
}

// programDetail is one edition in GET /programs/{id}: the pack without its
// test cases, so a UI can show what each program requires and why.
type programDetail struct {
	*rules.Pack
	// Revision counts the edition's publishes: 1 as built into the
	// binary (see GET /programs/{id}/revisions).
	Revision int    `json:"revision"`
	InForce  bool   `json:"in_force"`
	Hash     string `json:"hash"`
}

// programQuery reads the one query parameter the program endpoints take,
// as_of; ok false means the request was already answered.
func (s *Server) programQuery(c *gin.Context) (asOf time.Time, ok bool) {
	if !allowQuery(c, "as_of") {
		return time.Time{}, false
	}
	asOf, err := s.asOfParam("as_of", c.Query("as_of"))
	if err != nil {
		writeError(c, err)
		return time.Time{}, false
	}
	return asOf, true
}

func (s *Server) handleProgramList(c *gin.Context) {
	asOf, ok := s.programQuery(c)
	if !ok {
		return
	}
	eng := s.cfg.Rules.Load()
	items := []programSummary{}
	for _, id := range eng.IDs() {
		cur := eng.InForce(id, asOf).Pack()
		ps := programSummary{ID: id, Name: cur.Name.ZH, NameEN: cur.Name.EN, Honor: cur.Honor, Ladder: cur.Ladder, InForce: cur.Edition}
		for _, p := range eng.Editions(id) {
			pk := p.Pack()
			ps.Editions = append(ps.Editions, editionSummary{Edition: pk.Edition, Revision: p.Revision(), Effective: pk.Effective, Basis: pk.Basis})
		}
		items = append(items, ps)
	}
	// The native programs (innovation points) after the packs: one
	// edition each, described as a pack.
	for _, n := range s.natives() {
		pk := n.Pack()
		items = append(items, programSummary{ID: pk.ID, Name: pk.Name.ZH, NameEN: pk.Name.EN, Ladder: pk.Ladder, InForce: pk.Edition,
			Editions: []editionSummary{{Edition: pk.Edition, Revision: 1, Effective: pk.Effective, Basis: pk.Basis}}})
	}
	c.JSON(http.StatusOK, gin.H{"as_of": asOf.Format("2006-01-02"), "items": items})
}

// handleProgramGet shows every edition of a program, or one with
// {id}@{edition}.
func (s *Server) handleProgramGet(c *gin.Context) {
	asOf, ok := s.programQuery(c)
	if !ok {
		return
	}
	eng := s.cfg.Rules.Load()
	sel := c.Param("id")
	if err := s.checkPrograms(eng, "id", []string{sel}, asOf, false, s.nativeKeys()); err != nil {
		writeError(c, err)
		return
	}
	id, edition, _ := strings.Cut(sel, "@")
	if n := s.native(sel); n != nil {
		items := []programDetail{{Pack: n.Pack(), Revision: 1, InForce: true, Hash: n.Hash()}}
		c.JSON(http.StatusOK, gin.H{"id": id, "as_of": asOf.Format("2006-01-02"), "editions": items})
		return
	}
	cur := eng.InForce(id, asOf)
	items := []programDetail{}
	for _, p := range eng.Editions(id) {
		if edition != "" && p.Pack().Edition != edition {
			continue
		}
		items = append(items, programDetail{Pack: p.Pack(), Revision: p.Revision(), InForce: p == cur, Hash: p.Hash()})
	}
	c.JSON(http.StatusOK, gin.H{"id": id, "as_of": asOf.Format("2006-01-02"), "editions": items})
}

// handleMetrics lists the metrics pack expressions may use.
func (s *Server) handleMetrics(c *gin.Context) {
	if !allowQuery(c) {
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": rules.Metrics()})
}
