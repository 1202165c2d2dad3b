package whitelist

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/peiyu/peiyu/registry"
)

// Receipt is a signed statement of one answer to a bank: Signed is the JSON
// text of a ReceiptBody, Signature the Ed25519 signature of exactly those
// bytes by the key KeyID. A bank verifies the signature over Signed with
// the public key (GET /api/v1/receipts/public-key), then reads the answer
// from Signed — never from fields outside it.
type Receipt struct {
	Alg       string `json:"alg"`
	KeyID     string `json:"key_id"`
	Signed    string `json:"signed"`
	Signature string `json:"signature"`
}

// ReceiptBody is what a receipt attests.
type ReceiptBody struct {
	USCC       string `json:"uscc"`
	Listed     bool   `json:"listed"`
	List       string `json:"list"`
	Version    int    `json:"version"`
	Tier       string `json:"tier,omitempty"`
	EntryRoute string `json:"entry_route,omitempty"`
	IssuedAt   string `json:"issued_at"`
	KeyID      string `json:"key_id"`
}

// PublicKey is a verification key as published.
type PublicKey struct {
	KeyID     string     `json:"key_id"`
	Alg       string     `json:"alg"`
	PublicKey string     `json:"public_key"` // base64 (standard) of the 32-byte key
	CreatedAt time.Time  `json:"created_at"`
	RetiredAt *time.Time `json:"retired_at,omitempty"`
	Current   bool       `json:"current"`
}

const alg = "Ed25519"

// Signer signs receipts with the current key and lists every key.
type Signer struct {
	current ed25519.PrivateKey
	id      string
	keys    []PublicKey
}

// NewKey generates a receipt-signing key.
func NewKey(now time.Time) (registry.ReceiptKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return registry.ReceiptKey{}, fmt.Errorf("receipt key: %w", err)
	}
	return registry.ReceiptKey{ID: KeyID(pub), Public: pub, Private: priv.Seed(), CreatedAt: now}, nil
}

// KeyFromSeed makes the key of a configured Ed25519 seed (32 bytes).
func KeyFromSeed(seed []byte, now time.Time) (registry.ReceiptKey, error) {
	if len(seed) != ed25519.SeedSize {
		return registry.ReceiptKey{}, fmt.Errorf("receipt key: seed is %d bytes, want %d", len(seed), ed25519.SeedSize)
	}
	priv := ed25519.NewKeyFromSeed(seed)
	pub := priv.Public().(ed25519.PublicKey)
	return registry.ReceiptKey{ID: KeyID(pub), Public: pub, Private: seed, CreatedAt: now}, nil
}

// KeyID names a public key: the first 8 bytes of its SHA-256, in hex.
func KeyID(pub []byte) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// NewSigner signs with keys[0] (the current key) and publishes all of
// them.
func NewSigner(keys []registry.ReceiptKey) (*Signer, error) {
	if len(keys) == 0 || len(keys[0].Private) != ed25519.SeedSize {
		return nil, errors.New("receipt signer: no current private key")
	}
	s := &Signer{current: ed25519.NewKeyFromSeed(keys[0].Private), id: keys[0].ID}
	for i, k := range keys {
		s.keys = append(s.keys, PublicKey{KeyID: k.ID, Alg: alg, PublicKey: base64.StdEncoding.EncodeToString(k.Public),
			CreatedAt: k.CreatedAt, RetiredAt: k.RetiredAt, Current: i == 0})
	}
	return s, nil
}

// PublicKeys lists every key, current first.
func (s *Signer) PublicKeys() []PublicKey { return s.keys }

// Sign makes the receipt of an answer.
func (s *Signer) Sign(b ReceiptBody) Receipt {
	b.KeyID = s.id
	text, _ := json.Marshal(b) // a struct of strings, ints and bools always encodes
	return Receipt{Alg: alg, KeyID: s.id, Signed: string(text),
		Signature: base64.StdEncoding.EncodeToString(ed25519.Sign(s.current, text))}
}

// Verification errors.
var (
	ErrUnknownKey   = errors.New("receipt: signed by an unknown key")
	ErrBadSignature = errors.New("receipt: signature does not match")
)

// Verify checks a receipt against published keys and returns what it
// attests. Errors: ErrUnknownKey, ErrBadSignature, or a malformed receipt.
func Verify(r Receipt, keys []PublicKey) (ReceiptBody, error) {
	if r.Alg != alg {
		return ReceiptBody{}, fmt.Errorf("receipt: algorithm %q, want %s", r.Alg, alg)
	}
	var pub ed25519.PublicKey
	for _, k := range keys {
		if k.KeyID == r.KeyID {
			b, err := base64.StdEncoding.DecodeString(k.PublicKey)
			if err != nil || len(b) != ed25519.PublicKeySize {
				return ReceiptBody{}, fmt.Errorf("receipt: public key %s is malformed", k.KeyID)
			}
			pub = b
		}
	}
	if pub == nil {
		return ReceiptBody{}, fmt.Errorf("%w: %s", ErrUnknownKey, r.KeyID)
	}
	sig, err := base64.StdEncoding.DecodeString(r.Signature)
	if err != nil {
		return ReceiptBody{}, fmt.Errorf("%w: signature is not base64", ErrBadSignature)
	}
	if !ed25519.Verify(pub, []byte(r.Signed), sig) {
		return ReceiptBody{}, ErrBadSignature
	}
	var b ReceiptBody
	if err := json.Unmarshal([]byte(r.Signed), &b); err != nil {
		return ReceiptBody{}, fmt.Errorf("receipt: signed text is not a receipt: %w", err)
	}
	if b.KeyID != r.KeyID {
		return ReceiptBody{}, fmt.Errorf("%w: key id inside differs", ErrBadSignature)
	}
	return b, nil
}
