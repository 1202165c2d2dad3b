// Command peiyu is the Peiyu (培育) service and its tools: one binary with
// subcommands. It is the only package that knows every other one: it reads
// the configuration, opens the database (a real MongoDB, or the embedded
// MongoDB-wire server), and wires the registry, the rules and the API.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = ""

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, errUsage) {
			fmt.Fprintln(os.Stderr, "peiyu:", err)
		}
		os.Exit(1)
	}
}

// errUsage reports a command line that was already explained to the user.
var errUsage = errors.New("usage")

const usage = `peiyu — 培育 enterprise-cultivation registry and eligibility engine

Usage:
  peiyu serve [flags]                 run the HTTP service (--demo loads demo firms)
  peiyu seed --firms N --seed S       load N deterministic synthetic firms
  peiyu screen [flags]                screen the registry with a progress bar and a summary
  peiyu import FILE [--dry-run]       import firms from an XLSX or CSV file (progress bar, per-row report)
  peiyu export --out FILE.xlsx|.csv   export firms in the import layout (--region, --chain, --industry)
  peiyu bench --firms N [--json]      capacity: bare scan, full screening, engine vs hand-written
  peiyu load --url U [--key K] [--rate R]   drive a running service at a constant rate, report p50/p99
  peiyu receipts verify|public-key|rotate   verify bank receipts offline; show or rotate signing keys
  peiyu ready [--addr A]              exit 0 if the service at A is ready (health checks)
  peiyu keys create|list|revoke       manage API keys (create prints the key once)
  peiyu rules test|lint|eval          run pack cases, lint packs, evaluate a profile
  peiyu version                       print the version

Run "peiyu COMMAND -h" for a command's flags. Settings also come from
PEIYU_* environment variables (see README.md).
`

// run is the whole program: main only supplies the process's context,
// arguments, environment and output streams, so tests can run it in-process.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "serve":
		return runServe(ctx, rest, getenv, stdout, stderr)
	case "seed":
		return runSeed(ctx, rest, getenv, stdout, stderr)
	case "screen":
		return runScreen(ctx, rest, getenv, stdout, stderr)
	case "import":
		return runImport(ctx, rest, getenv, stdout, stderr)
	case "export":
		return runExport(ctx, rest, getenv, stdout, stderr)
	case "bench":
		return runBench(ctx, rest, getenv, stdout, stderr)
	case "load":
		return runLoad(ctx, rest, getenv, stdout, stderr)
	case "receipts":
		return runReceipts(ctx, rest, getenv, stdout, stderr)
	case "ready":
		return runReady(ctx, rest, getenv, stdout, stderr)
	case "keys":
		return runKeys(ctx, rest, getenv, stdout, stderr)
	case "rules":
		return runRules(ctx, rest, getenv, stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "peiyu", buildVersion())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprintf(stderr, "peiyu: unknown command %q\n\n%s", cmd, usage)
		return errUsage
	}
}

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
