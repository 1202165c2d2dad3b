package registry

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Role is what an API key may do (SPEC §5.8).
type Role string

// The roles of API keys.
const (
	// RoleAdmin may do everything, including managing keys.
	RoleAdmin Role = "admin"
	// RoleStaff is bureau staff: everything about the firms of one region
	// and its sub-regions, except key management.
	RoleStaff Role = "staff"
	// RoleEnterprise is one firm: it reads and updates its own record only.
	RoleEnterprise Role = "enterprise"
	// RoleBank reads the published finance whitelist only.
	RoleBank Role = "bank"
)

// Roles lists every role, in order of decreasing power.
var Roles = []Role{RoleAdmin, RoleStaff, RoleEnterprise, RoleBank}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool {
	switch r {
	case RoleAdmin, RoleStaff, RoleEnterprise, RoleBank:
		return true
	}
	return false
}

// KeyScope limits what a key reaches: a staff key the firms of RegionCode
// and its sub-regions (RegionWithin), an enterprise key the firm USCC.
type KeyScope struct {
	RegionCode string `json:"region_code,omitempty"`
	USCC       string `json:"uscc,omitempty"`
}

// APIKey is an API key as the service shows it: never the key itself, which
// is shown once when it is made and stored only as its hash (HashKey).
type APIKey struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Role      Role       `json:"role"`
	Scope     KeyScope   `json:"scope"`
	CreatedAt time.Time  `json:"created_at"`
	CreatedBy string     `json:"created_by"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
	RevokedBy string     `json:"revoked_by,omitempty"`
}

// Active reports whether the key has not been revoked.
func (k *APIKey) Active() bool { return k.RevokedAt == nil }

var keyRegionRE = regexp.MustCompile(`^[0-9]{6}$`)

// Validate checks a key about to be made: a known role, a name, and the
// scope its role needs — a 6-digit region code for staff, a valid USCC for
// an enterprise (normalized in place), nothing for admin and bank. It
// returns a *ValidationError naming the request fields (role, name,
// region_code, uscc).
func (k *APIKey) Validate() error {
	var p problems
	if !k.Role.Valid() {
		p.add("role", "角色应为 admin、staff、enterprise 或 bank", "role must be admin, staff, enterprise or bank")
	}
	k.Name = strings.TrimSpace(k.Name)
	switch {
	case k.Name == "":
		p.add("name", "名称必填（如“鹤城区工信局”“某银行怀化分行”）", "required")
	case !utf8.ValidString(k.Name) || utf8.RuneCountInString(k.Name) > 100 || strings.IndexFunc(k.Name, unicode.IsControl) >= 0:
		p.add("name", "名称不超过100个字符，且不含控制字符", "at most 100 characters, no control characters")
	}
	switch {
	case k.Role == RoleStaff && k.Scope.RegionCode == "":
		p.add("region_code", "工作人员密钥必须限定行政区划", "required for a staff key")
	case k.Role == RoleStaff && !keyRegionRE.MatchString(k.Scope.RegionCode):
		p.add("region_code", "行政区划代码应为6位数字", "must be a 6-digit division code")
	case k.Role != RoleStaff && k.Scope.RegionCode != "":
		p.add("region_code", "只有工作人员密钥限定行政区划", "only staff keys have a region")
	}
	switch {
	case k.Role == RoleEnterprise && k.Scope.USCC == "":
		p.add("uscc", "企业密钥必须绑定统一社会信用代码", "required for an enterprise key")
	case k.Role == RoleEnterprise:
		code := NormalizeUSCC(k.Scope.USCC)
		if zh, en, ok := CheckUSCC(code); !ok {
			p.add("uscc", zh, en)
		} else {
			k.Scope.USCC = code
		}
	case k.Scope.USCC != "":
		p.add("uscc", "只有企业密钥绑定统一社会信用代码", "only enterprise keys have a USCC")
	}
	return p.err()
}

// KeyPrefix starts every key the service makes, so a leaked one is easy to
// recognise (and to search for in code and logs).
const KeyPrefix = "py_"

// NewKeySecret returns a fresh key: KeyPrefix and 32 random bytes in
// unpadded base64url, 46 characters in all.
func NewKeySecret() string {
	// crypto/rand.Read never fails (it crashes the program instead).
	var b [32]byte
	_, _ = rand.Read(b[:])
	return KeyPrefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// HashKey is what the service stores of a key: its SHA-256, in hex. Keys
// made by NewKeySecret carry 256 random bits, so a fast hash is enough; no
// password KDF is needed. A bootstrap key given by an operator must be as
// strong (MinKeyLength).
func HashKey(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// MinKeyLength is the shortest key the service accepts from configuration
// (PEIYU_BOOTSTRAP_ADMIN_KEY).
const MinKeyLength = 20

// AuditEntry is one line of the append-only audit log: who (the API key)
// did what to which firm, with what outcome. It never holds request bodies
// or keys.
type AuditEntry struct {
	// ID is time-ordered (a UUIDv7), so the newest entries sort last.
	ID      string    `json:"id"`
	Time    time.Time `json:"time"`
	KeyID   string    `json:"key_id"`
	KeyName string    `json:"key_name"`
	Role    Role      `json:"role"`
	// Action names the operation: firm.create, firm.update, firm.delete,
	// year.put, key.create, key.revoke, draft.create, draft.publish,
	// screening.create, snapshot.create, whitelist.publish,
	// whitelist.lookup, whitelist.changes.
	Action string `json:"action"`
	// USCC is the firm the entry is about, if any; RegionCode is that
	// firm's region when known, else the division code inside the USCC.
	USCC       string `json:"uscc,omitempty"`
	RegionCode string `json:"region_code,omitempty"`
	// Outcome is the HTTP status of the answer.
	Outcome   int    `json:"outcome"`
	RequestID string `json:"request_id"`
	Method    string `json:"method"`
	Path      string `json:"path"`
}

// AuditFilter selects audit entries. Empty fields do not filter.
type AuditFilter struct {
	Role   Role
	USCC   string
	Action string
	// Since keeps entries at or after it.
	Since time.Time
	// RegionCode keeps entries whose region is within it (RegionWithin).
	RegionCode string
	// Limit bounds the answer; 0 means DefaultLimit.
	Limit int
}

// Match reports whether the filter selects e (Limit aside).
func (f *AuditFilter) Match(e *AuditEntry) bool {
	return (f.Role == "" || e.Role == f.Role) && (f.USCC == "" || e.USCC == f.USCC) &&
		(f.Action == "" || e.Action == f.Action) && (f.Since.IsZero() || !e.Time.Before(f.Since)) &&
		(f.RegionCode == "" || RegionWithin(e.RegionCode, f.RegionCode))
}
