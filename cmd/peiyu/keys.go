package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/registry/store"
)

// keyRegistrar is what start-up and `peiyu keys` need of the store.
type keyRegistrar interface {
	EnsureAdminKey(ctx context.Context, hash, name, by string) (bool, error)
	CreateKey(ctx context.Context, k registry.APIKey, hash string) (*registry.APIKey, error)
	KeyByHash(ctx context.Context, hash string) (*registry.APIKey, error)
	ListKeys(ctx context.Context) ([]registry.APIKey, error)
	RevokeKey(ctx context.Context, id, by string) (*registry.APIKey, error)
	AppendAudit(ctx context.Context, entries ...registry.AuditEntry) error
}

// demoKeyCreator marks the admin keys `serve --demo` makes, so that the
// next start revokes them when it makes its own.
const demoKeyCreator = "peiyu serve --demo"

// startupKeys are the keys `peiyu serve` registers once the database is
// up: PEIYU_BOOTSTRAP_ADMIN_KEY while no admin key is active, and with
// --demo and no bootstrap key a fresh demo admin key (printed once on
// stdout). Neither is ever logged. /readyz waits for them.
type startupKeys struct {
	bootstrap, demo string
	done            atomic.Bool
}

// newStartupKeys reads PEIYU_BOOTSTRAP_ADMIN_KEY and makes the demo key.
func newStartupKeys(getenv func(string) string, demo bool) (*startupKeys, error) {
	k := &startupKeys{bootstrap: strings.TrimSpace(getenv("PEIYU_BOOTSTRAP_ADMIN_KEY"))}
	if k.bootstrap != "" && len(k.bootstrap) < registry.MinKeyLength {
		// A short key is a guessable one: its SHA-256 protects nothing.
		return nil, fmt.Errorf("PEIYU_BOOTSTRAP_ADMIN_KEY: at least %d characters please (a random one, e.g. openssl rand -base64 32)", registry.MinKeyLength)
	}
	if demo && k.bootstrap == "" {
		k.demo = registry.NewKeySecret()
	}
	if k.bootstrap == "" && k.demo == "" {
		k.done.Store(true)
	}
	return k, nil
}

// ready is the /readyz check: the start-up keys are registered.
func (k *startupKeys) ready(context.Context) error {
	if !k.done.Load() {
		return errors.New("start-up API keys not registered yet")
	}
	return nil
}

// register registers the start-up keys. It is idempotent, so it can be
// retried while the database is unavailable. Errors: registry.ErrUnavailable
// and others from the store; a revoked bootstrap key is logged, not
// returned.
func (k *startupKeys) register(ctx context.Context, st keyRegistrar, log *slog.Logger) error {
	if k.bootstrap != "" {
		created, err := st.EnsureAdminKey(ctx, registry.HashKey(k.bootstrap), "bootstrap", "PEIYU_BOOTSTRAP_ADMIN_KEY")
		switch {
		case errors.Is(err, registry.ErrConflict):
			log.Error("PEIYU_BOOTSTRAP_ADMIN_KEY was revoked and is not registered again; while no admin key is active, a new bootstrap key is")
		case err != nil:
			return err
		case created:
			log.Info("bootstrap admin key registered (from PEIYU_BOOTSTRAP_ADMIN_KEY)")
			auditKeyChange(ctx, st, log, "key.create", "peiyu serve", "PEIYU_BOOTSTRAP_ADMIN_KEY", "")
		}
	}
	if k.demo != "" {
		hash := registry.HashKey(k.demo)
		if _, err := st.KeyByHash(ctx, hash); err == nil {
			k.done.Store(true)
			return nil // registered by an earlier attempt
		} else if !errors.Is(err, registry.ErrNotFound) {
			return err
		}
		keys, err := st.ListKeys(ctx)
		if err != nil {
			return err
		}
		for _, old := range keys {
			if old.CreatedBy == demoKeyCreator && old.Active() {
				if _, err := st.RevokeKey(ctx, old.ID, demoKeyCreator); err != nil {
					return err
				}
			}
		}
		if _, err := st.CreateKey(ctx, registry.APIKey{Name: "demo", Role: registry.RoleAdmin, CreatedBy: demoKeyCreator}, hash); err != nil {
			return err
		}
		log.Info("demo admin key registered (printed on stdout; earlier demo keys revoked)")
		auditKeyChange(ctx, st, log, "key.create", "peiyu serve", "peiyu serve --demo", "")
	}
	k.done.Store(true)
	return nil
}

// auditKeyChange appends the audit entry of a key made (key.create) or
// revoked (key.revoke) outside the API, by who, as the command path says,
// for the firm uscc of an enterprise key. The outcome is the status the
// API would have answered. A failure is logged at error level: the key is
// made by then.
func auditKeyChange(ctx context.Context, st keyRegistrar, log *slog.Logger, action, who, path, uscc string) {
	e := registry.AuditEntry{KeyName: who, Role: registry.RoleAdmin, Action: action, Outcome: 201, Method: "CLI", Path: path}
	if action == "key.revoke" {
		e.Outcome = 204
	}
	if len(uscc) == 18 {
		e.USCC, e.RegionCode = uscc, uscc[2:8]
	}
	if err := st.AppendAudit(ctx, e); err != nil {
		log.Error("audit write failed", "action", action, "error", err)
	}
}

// trustedProxies reads a comma-separated list of proxy addresses or CIDR
// ranges.
func trustedProxies(v string) ([]string, error) {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if _, _, err := net.ParseCIDR(p); err != nil && net.ParseIP(p) == nil {
			return nil, fmt.Errorf("--trusted-proxies: %q is neither an IP address nor a CIDR range", p)
		}
		out = append(out, p)
	}
	return out, nil
}

const keysUsage = `Usage:
  peiyu keys create --role admin|staff|enterprise|bank --name N [--region C] [--uscc U]
  peiyu keys list
  peiyu keys revoke ID

create prints the key once; only its SHA-256 is stored. A staff key needs
--region (its region and sub-regions), an enterprise key --uscc. Each also
takes the storage flags of "peiyu serve" (--data-dir, --mongodb-uri, --db).
On the embedded server, stop "peiyu serve" first: one process per data
directory. A running service notices a revocation within 30 seconds.
`

// runKeys is `peiyu keys create|list|revoke`.
func runKeys(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, keysUsage)
		return errUsage
	}
	var cfg config
	var k registry.APIKey
	fs := flag.NewFlagSet("keys "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	storageFlags(fs, &cfg, getenv)
	switch args[0] {
	case "create":
		fs.StringVar((*string)(&k.Role), "role", "", "admin, staff, enterprise or bank")
		fs.StringVar(&k.Name, "name", "", "who holds the key, e.g. 鹤城区工信局")
		fs.StringVar(&k.Scope.RegionCode, "region", "", "staff: the 6-digit region the key is limited to")
		fs.StringVar(&k.Scope.USCC, "uscc", "", "enterprise: the firm the key is bound to")
	case "list", "revoke":
	case "help", "-h", "--help":
		fmt.Fprint(stdout, keysUsage)
		return nil
	default:
		fmt.Fprintf(stderr, "peiyu keys: unknown subcommand %q\n\n%s", args[0], keysUsage)
		return errUsage
	}
	if err := fs.Parse(args[1:]); err != nil {
		return errUsage
	}
	var id string
	if args[0] == "revoke" {
		// The ID may come before or after the flags.
		if fs.NArg() > 0 {
			id = fs.Arg(0)
			if err := fs.Parse(fs.Args()[1:]); err != nil {
				return errUsage
			}
		}
		if id == "" || fs.NArg() > 0 {
			fmt.Fprint(stderr, keysUsage)
			return errUsage
		}
	} else if fs.NArg() > 0 {
		fmt.Fprint(stderr, keysUsage)
		return errUsage
	}
	if args[0] == "create" {
		k.CreatedBy = "peiyu keys (CLI)"
		if err := k.Validate(); err != nil {
			return cliInvalid(err)
		}
	}

	db, log, err := openDatabase(ctx, &cfg, stderr)
	if err != nil {
		return err
	}
	defer db.Close(context.Background())
	if err := db.Store.EnsureIndexes(ctx); err != nil {
		return err
	}
	switch args[0] {
	case "create":
		return createKey(ctx, db.Store, log, k, stdout)
	case "revoke":
		if _, err := db.Store.RevokeKey(ctx, id, "peiyu keys (CLI)"); err != nil {
			if errors.Is(err, registry.ErrNotFound) {
				return fmt.Errorf("no key with the ID %s (see peiyu keys list)", id)
			}
			return err
		}
		auditKeyChange(ctx, db.Store, log, "key.revoke", "peiyu keys (CLI)", "peiyu keys revoke "+id, "")
		fmt.Fprintf(stdout, "key %s revoked\n", id)
		return nil
	}
	return listKeys(ctx, db.Store, stdout)
}

// cliInvalid turns a validation error into flag names.
func cliInvalid(err error) error {
	var ve *registry.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	flagOf := map[string]string{"role": "--role", "name": "--name", "region_code": "--region", "uscc": "--uscc"}
	var parts []string
	for _, p := range ve.Problems {
		parts = append(parts, flagOf[p.Field]+": "+p.Problem)
	}
	return errors.New(strings.Join(parts, "; "))
}

func createKey(ctx context.Context, st *store.Store, log *slog.Logger, k registry.APIKey, stdout io.Writer) error {
	secret := registry.NewKeySecret()
	created, err := st.CreateKey(ctx, k, registry.HashKey(secret))
	if err != nil {
		return err
	}
	auditKeyChange(ctx, st, log, "key.create", "peiyu keys (CLI)", "peiyu keys create", created.Scope.USCC)
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "id\t%s\n", created.ID)
	fmt.Fprintf(w, "role\t%s\n", created.Role)
	fmt.Fprintf(w, "name\t%s\n", created.Name)
	if s := scopeText(created.Scope); s != "" {
		fmt.Fprintf(w, "scope\t%s\n", s)
	}
	fmt.Fprintf(w, "key\t%s\n", secret)
	_ = w.Flush()
	fmt.Fprintln(stdout, "Keep the key now: it is shown only this once (only its SHA-256 is stored).")
	return nil
}

func scopeText(s registry.KeyScope) string {
	switch {
	case s.RegionCode != "":
		return "region " + s.RegionCode
	case s.USCC != "":
		return "uscc " + s.USCC
	}
	return ""
}

func listKeys(ctx context.Context, st *store.Store, stdout io.Writer) error {
	keys, err := st.ListKeys(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tROLE\tNAME\tSCOPE\tCREATED\tBY\tSTATUS")
	for _, k := range keys {
		status := "active"
		if k.RevokedAt != nil {
			status = "revoked " + k.RevokedAt.Local().Format(time.DateTime)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Role, k.Name, scopeText(k.Scope),
			k.CreatedAt.Local().Format(time.DateTime), k.CreatedBy, status)
	}
	return w.Flush()
}
