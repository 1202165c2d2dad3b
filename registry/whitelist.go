package registry

import "time"

// WhitelistEntry is one firm as a published whitelist shows it to banks:
// identity, region and chain, tier, the route it entered by and its titles
// with their validity. Never revenue, R&D or other raw figures.
type WhitelistEntry struct {
	USCC       string           `json:"uscc"`
	Name       string           `json:"name"`
	RegionCode string           `json:"region_code,omitempty"`
	Chain      string           `json:"chain,omitempty"`
	Industry   string           `json:"industry_code,omitempty"`
	Tier       string           `json:"tier,omitempty"`
	EntryRoute string           `json:"entry_route,omitempty"`
	Titles     []WhitelistTitle `json:"titles"`
	// ListedSince is the first version of the unbroken run of versions
	// the firm has been on, and that version's publication date.
	ListedSince        int    `json:"listed_since_version"`
	ListedSinceDate    string `json:"listed_since"`
	LastReviewedAsOf   string `json:"last_reviewed"`
	RiskCompEligible   bool   `json:"risk_comp_eligible,omitempty"`
	FinancingNeedNotes string `json:"financing_need,omitempty"`
}

// WhitelistTitle is a recognition a listed firm holds.
type WhitelistTitle struct {
	Kind    string `json:"kind"`
	Level   string `json:"level,omitempty"`
	Issued  string `json:"issued,omitempty"`
	Expires string `json:"expires,omitempty"`
}

// WhitelistVersion is one published, immutable version of a whitelist. A
// correction is a new version.
type WhitelistVersion struct {
	List        string    `json:"list"`
	Version     int       `json:"version"`
	Program     string    `json:"program"`
	AsOf        string    `json:"as_of"`
	PublishedAt time.Time `json:"published_at"`
	PublishedBy string    `json:"published_by"`
	Count       int       `json:"count"`
	// Added and Removed are the USCCs that joined or left since the
	// previous version.
	Added   []string `json:"added"`
	Removed []string `json:"removed"`
	// Hash is the SHA-256 of the entries as stored, so a copy can be
	// checked against the published version.
	Hash string `json:"hash"`
}

// ReceiptKey is one of the service's receipt-signing keys. Private is the
// Ed25519 seed; it is nil in every value handed out of the store except to
// the signer.
type ReceiptKey struct {
	ID        string     `json:"key_id"`
	Public    []byte     `json:"public_key"`
	Private   []byte     `json:"-"`
	CreatedAt time.Time  `json:"created_at"`
	RetiredAt *time.Time `json:"retired_at,omitempty"`
}
