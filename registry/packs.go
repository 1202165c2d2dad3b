package registry

import (
	"strconv"
	"time"
)

// Draft statuses.
const (
	DraftOpen      = "draft"
	DraftPublished = "published"
)

// PackDraft is an edited copy of a program edition's rule pack, kept until
// it is published. YAML is the whole pack as it would be published;
// Overrides records the parameter values changed when the draft was made
// from the edition in force rather than written out. BaseRevision is the
// revision of the edition the draft was made from (0 for a new edition):
// publishing it makes revision BaseRevision+1, so a draft overtaken by
// another publish is refused rather than silently undoing it.
type PackDraft struct {
	ID                string             `json:"id"`
	Program           string             `json:"program"`
	Edition           string             `json:"edition"`
	BaseRevision      int                `json:"base_revision"`
	YAML              string             `json:"yaml,omitempty"`
	Overrides         map[string]float64 `json:"overrides,omitempty"`
	Note              string             `json:"note,omitempty"`
	CreatedBy         string             `json:"created_by"`
	CreatedAt         time.Time          `json:"created_at"`
	Status            string             `json:"status"`
	PublishedRevision int                `json:"published_revision,omitempty"`
	PublishedBy       string             `json:"published_by,omitempty"`
	PublishedAt       *time.Time         `json:"published_at,omitempty"`
}

// Key is "program@edition".
func (d *PackDraft) Key() string { return d.Program + "@" + d.Edition }

// PackRevision is one published version of a program edition's rule pack.
// Revision 1 is the pack built into the binary and is not stored; every
// publish stores the next. Old revisions are kept as history.
type PackRevision struct {
	Program     string    `json:"program"`
	Edition     string    `json:"edition"`
	Revision    int       `json:"revision"`
	YAML        string    `json:"yaml,omitempty"`
	Hash        string    `json:"hash"`
	DraftID     string    `json:"draft_id"`
	Note        string    `json:"note,omitempty"`
	PublishedBy string    `json:"published_by"`
	PublishedAt time.Time `json:"published_at"`
}

// Key is "program@edition".
func (r *PackRevision) Key() string { return r.Program + "@" + r.Edition }

// ID names the revision: "little-giant@2026#3".
func (r *PackRevision) ID() string { return r.Key() + "#" + strconv.Itoa(r.Revision) }

// Validate checks what the store relies on. The pack itself is checked by
// the rule engine before it is stored.
func (r *PackRevision) Validate() error {
	var p problems
	if r.Program == "" {
		p.add("program", "缺少项目标识", "program is required")
	}
	if r.Edition == "" {
		p.add("edition", "缺少版本", "edition is required")
	}
	if r.Revision < 1 {
		p.add("revision", "修订号应从1开始", "revision must be 1 or more")
	}
	if r.YAML == "" {
		p.add("yaml", "缺少规则包内容", "yaml is required")
	}
	if r.DraftID == "" {
		p.add("draft_id", "缺少草案标识", "draft_id is required")
	}
	return p.err()
}

// Validate checks what the store relies on.
func (d *PackDraft) Validate() error {
	var p problems
	if d.Program == "" {
		p.add("program", "缺少项目标识", "program is required")
	}
	if d.Edition == "" {
		p.add("edition", "缺少版本", "edition is required")
	}
	if d.BaseRevision < 0 {
		p.add("base_revision", "修订号不能为负数", "must not be negative")
	}
	if d.YAML == "" {
		p.add("yaml", "缺少规则包内容", "yaml is required")
	}
	return p.err()
}
