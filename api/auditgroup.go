package api

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/peiyu/peiyu/registry"
)

// auditGroup commits audit entries in groups: callers that arrive while a
// write is in flight wait, and the next write takes all of their entries
// at once. Every caller still returns only once its own entries are
// stored (or the write failed), so the answer never leaves before its
// entry; but a thousand bank lookups a second become a few dozen
// database writes instead of a thousand. At low load a write holds one
// call's entries and adds no wait.
//
// No goroutine of its own: the first caller writes; when its group is
// stored it hands the turn to the oldest caller still waiting, which then
// writes everything queued meanwhile. A caller writes at most once.
type auditGroup struct {
	mu      sync.Mutex
	busy    bool
	pending []*auditCall
}

type auditCall struct {
	entries []registry.AuditEntry
	result  chan error    // the outcome of the write that held the entries
	turn    chan struct{} // this caller is to write the next group
}

// append stores entries through st, grouped with other callers'.
func (g *auditGroup) append(ctx context.Context, st AuditStore, entries []registry.AuditEntry) error {
	call := &auditCall{entries: entries, result: make(chan error, 1), turn: make(chan struct{}, 1)}
	g.mu.Lock()
	g.pending = append(g.pending, call)
	if g.busy {
		g.mu.Unlock()
		select {
		case err := <-call.result:
			return err
		case <-call.turn:
		}
	} else {
		g.busy = true
		g.mu.Unlock()
	}

	// This caller's turn: write every queued call's entries, ours among
	// them, then pass the turn on.
	g.mu.Lock()
	group := g.pending
	g.pending = nil
	g.mu.Unlock()
	var all []registry.AuditEntry
	for _, c := range group {
		all = append(all, c.entries...)
	}
	err := st.AppendAudit(ctx, all...)
	for _, c := range group {
		c.result <- err
	}
	g.mu.Lock()
	if len(g.pending) > 0 {
		g.pending[0].turn <- struct{}{}
	} else {
		g.busy = false
	}
	g.mu.Unlock()
	return <-call.result
}

// auditBehind writes the audit entries of bank queries behind the answer:
// a lookup is served from memory, and waiting for its entry to be stored
// would bound it by the database (on the embedded server a thousand
// lookups a second took p99 50–800 ms with the entry written first, 3 ms
// without). Entries queue here and one writer stores them in batches,
// usually within milliseconds; a failed batch is retried (entries carry
// their IDs, so a retry adds each once). The queue is bounded: when it is
// full, because the database is down or slow, a bank query is refused
// (503) rather than answered unaudited. Close flushes what is queued; a
// crash loses at most what was not yet written — entries of reads, never
// of writes, whose entries are stored before their answer (auditGroup).
type auditBehind struct {
	mu      sync.Mutex
	queue   []registry.AuditEntry
	max     int
	started bool
	closed  bool
	wake    chan struct{}
	done    chan struct{}
	st      AuditStore
	log     func(err error, n int)
}

// maxAuditBehind bounds the queued entries (a few MB).
const maxAuditBehind = 20_000

// auditGather is how long the writer lets bank-query entries gather
// before it writes them: long enough that an insert carries a few dozen
// entries, short enough that no insert keeps the embedded server's CPU
// long. Whitelist lookups at 1000/s, p99 over three 30 s runs: 10 ms
// 3.3-7.3 ms, 25 ms 3.9-4.2 ms, 50 ms 4.4-5.1 ms, 200 ms 6.2-7.6 ms.
const auditGather = 25 * time.Millisecond

// errAuditBacklog is the answer to a bank query when the queue is full.
var errAuditBacklog = errors.New("audit backlog full")

// add queues entries, starting the writer the first time. It fails when
// the queue is full or closed.
func (b *auditBehind) add(entries []registry.AuditEntry) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed || len(b.queue)+len(entries) > b.max {
		return errAuditBacklog
	}
	b.queue = append(b.queue, entries...)
	if !b.started {
		b.started = true
		go b.run()
	}
	select {
	case b.wake <- struct{}{}:
	default:
	}
	return nil
}

// run writes the queue in batches until Close.
func (b *auditBehind) run() {
	defer close(b.done)
	backoff := 100 * time.Millisecond
	lastTries := 3 // after Close, failed writes retried before giving up
	for {
		b.mu.Lock()
		n := min(len(b.queue), 2000)
		batch := slices.Clone(b.queue[:n])
		closed := b.closed
		b.mu.Unlock()
		if n == 0 {
			if closed {
				return
			}
			<-b.wake
			if !closed {
				// Let entries gather: one insert of many costs the
				// embedded server little more than one of a few.
				time.Sleep(auditGather)
			}
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := b.st.AppendAudit(ctx, batch...)
		cancel()
		if err != nil {
			b.log(err, n)
			if closed {
				if lastTries--; lastTries <= 0 {
					return // shutting down: logged, nothing more to do
				}
				time.Sleep(backoff)
				backoff *= 2
				continue
			}
			select {
			case <-time.After(backoff):
			case <-b.wake:
				time.Sleep(backoff)
			}
			backoff = min(2*backoff, 5*time.Second)
			continue
		}
		backoff = 100 * time.Millisecond
		b.mu.Lock()
		b.queue = b.queue[n:]
		b.mu.Unlock()
	}
}

// close stops taking entries and waits until the queued ones are written
// (or a write fails, or ctx ends).
func (b *auditBehind) close(ctx context.Context) error {
	b.mu.Lock()
	started := b.started
	b.closed = true
	b.mu.Unlock()
	if !started {
		return nil
	}
	select {
	case b.wake <- struct{}{}:
	default:
	}
	select {
	case <-b.done:
		b.mu.Lock()
		left := len(b.queue)
		b.mu.Unlock()
		if left > 0 {
			return fmt.Errorf("audit: %d bank-query entries not written", left)
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
