package embedded

import (
	"sync"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// configureSQLite sets SQLite's process-wide options that the embedded
// server needs. It must run before SQLite's first connection opens (the
// options are refused afterwards); it reports whether they were applied.
//
// Statement journals: every multi-row INSERT keeps one, for statement-level
// rollback, and FerretDB writes up to 100 documents per INSERT. With the
// default spill threshold (64 KiB) the in-memory journal grows in 64 KiB
// chunks, and the pure-Go allocator behind modernc.org/sqlite maps and
// unmaps every block that large with a system call of its own. Under a
// thousand audited bank lookups a second that was 11% of the process's
// CPU, all of it munmap. With the threshold at -1 statement journals stay
// in memory in 1 KiB chunks from the allocator's slabs. A statement
// journal holds the pages one statement changed, a few hundred KiB for the
// largest write the store makes.
var configureSQLite = sync.OnceValue(func() bool {
	tls := libc.NewTLS()
	defer tls.Close()
	va := libc.NewVaList(int32(-1))
	if va == 0 {
		return false
	}
	defer libc.Xfree(tls, va)
	return sqlite3.Xsqlite3_config(tls, sqlite3.SQLITE_CONFIG_STMTJRNL_SPILL, va) == sqlite3.SQLITE_OK
})
