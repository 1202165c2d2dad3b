package api

import (
	"context"
	"sync"

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
