package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/peiyu/peiyu/rules"
	"github.com/peiyu/peiyu/rules/whitelist"
)

// runReceipts verifies bank receipts offline, and shows or rotates the
// service's signing keys.
func runReceipts(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	const use = `Usage:
  peiyu receipts verify --keys KEYS.json FILE   verify the receipts in FILE with saved public keys
  peiyu receipts verify --server URL FILE       … with the keys of the service at URL
  peiyu receipts public-key                     print the public keys (from the database)
  peiyu receipts rotate                         make a new signing key current (old keys stay listed)

FILE is a receipt, or a saved answer holding receipts (GET /api/v1/whitelist/{uscc},
POST /api/v1/whitelist/lookup). KEYS.json is the saved answer of GET /api/v1/receipts/public-key.
`
	if len(args) == 0 {
		fmt.Fprint(stderr, use)
		return errUsage
	}
	switch args[0] {
	case "verify":
		return runReceiptsVerify(ctx, args[1:], stdout, stderr)
	case "public-key", "rotate":
		var cfg config
		fs := flag.NewFlagSet("receipts "+args[0], flag.ContinueOnError)
		fs.SetOutput(stderr)
		storageFlags(fs, &cfg, getenv)
		if err := fs.Parse(args[1:]); err != nil {
			return errUsage
		}
		seed, err := receiptSeed(getenv)
		if err != nil {
			return err
		}
		db, _, err := openDatabase(ctx, &cfg, stderr)
		if err != nil {
			return err
		}
		defer db.Close(context.Background())
		if err := db.Store.EnsureIndexes(ctx); err != nil {
			return err
		}
		eng, _ := rules.New(nil)
		svc := whitelist.New(db.Store, rules.NewHolder(eng), whitelist.Config{Seed: seed})
		if err := svc.Load(ctx); err != nil {
			return err
		}
		if args[0] == "rotate" {
			k, err := svc.Rotate(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(stderr, "new signing key %s; running services pick it up within 30s or on restart\n", k.KeyID)
		}
		keys, err := svc.PublicKeys()
		if err != nil {
			return err
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"alg": "Ed25519", "keys": keys})
	}
	fmt.Fprint(stderr, use)
	return errUsage
}

func runReceiptsVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var keysFile, server string
	fs := flag.NewFlagSet("receipts verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&keysFile, "keys", "", "saved answer of GET /api/v1/receipts/public-key")
	fs.StringVar(&server, "server", "", "base URL of a Peiyu service to fetch the public keys from")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() != 1 || (keysFile == "") == (server == "") {
		fmt.Fprintln(stderr, "peiyu receipts verify: give one FILE and exactly one of --keys or --server")
		return errUsage
	}
	var keyDoc []byte
	var err error
	if keysFile != "" {
		keyDoc, err = os.ReadFile(keysFile)
	} else {
		keyDoc, err = fetch(ctx, strings.TrimRight(server, "/")+"/api/v1/receipts/public-key")
	}
	if err != nil {
		return err
	}
	var keys struct {
		Keys []whitelist.PublicKey `json:"keys"`
	}
	if err := json.Unmarshal(keyDoc, &keys); err != nil || len(keys.Keys) == 0 {
		return fmt.Errorf("public keys: not an answer of /api/v1/receipts/public-key")
	}
	doc, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	receipts, err := findReceipts(doc)
	if err != nil {
		return fmt.Errorf("%s: %w", fs.Arg(0), err)
	}
	failed := 0
	for _, r := range receipts {
		b, err := whitelist.Verify(r, keys.Keys)
		if err != nil {
			failed++
			fmt.Fprintf(stdout, "FAILED  %s\n", err)
			continue
		}
		listed := "未列入 not listed"
		if b.Listed {
			listed = "已列入 listed, tier " + b.Tier + ", route " + b.EntryRoute
		}
		fmt.Fprintf(stdout, "OK      %s  %s  %s v%d  issued %s  key %s\n", b.USCC, listed, b.List, b.Version, b.IssuedAt, b.KeyID)
	}
	fmt.Fprintf(stdout, "%d receipt(s), %d verified, %d failed\n", len(receipts), len(receipts)-failed, failed)
	if failed > 0 {
		return fmt.Errorf("%d receipt(s) failed verification", failed)
	}
	return nil
}

// findReceipts reads a receipt, an answer with a "receipt", or a batch
// answer whose items carry receipts.
func findReceipts(doc []byte) ([]whitelist.Receipt, error) {
	var shape struct {
		Alg       string             `json:"alg"`
		KeyID     string             `json:"key_id"`
		Signed    string             `json:"signed"`
		Signature string             `json:"signature"`
		Receipt   *whitelist.Receipt `json:"receipt"`
		Items     []struct {
			Receipt *whitelist.Receipt `json:"receipt"`
		} `json:"items"`
	}
	if err := json.Unmarshal(doc, &shape); err != nil {
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	var out []whitelist.Receipt
	switch {
	case shape.Signed != "":
		out = append(out, whitelist.Receipt{Alg: shape.Alg, KeyID: shape.KeyID, Signed: shape.Signed, Signature: shape.Signature})
	case shape.Receipt != nil:
		out = append(out, *shape.Receipt)
	}
	for _, it := range shape.Items {
		if it.Receipt != nil {
			out = append(out, *it.Receipt)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no receipt found")
	}
	return out, nil
}

func fetch(ctx context.Context, url string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return io.ReadAll(io.LimitReader(resp.Body, 1<<20))
}
