package store

import (
	"errors"
	"fmt"
	"testing"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver"

	"github.com/peiyu/peiyu/registry"
)

// poolCleared has the driver's poolClearedError's behaviour (the type is
// unexported): retryable, and not a network error.
type poolCleared struct{}

func (poolCleared) Error() string {
	return "connection pool for 127.0.0.1:27017 was cleared because another operation failed with: " +
		"connection(127.0.0.1:27017[-33]) incomplete read of message header: connection closed unexpectedly by the other side: EOF"
}

func (poolCleared) Retryable() bool { return true }

// The database stopped while operations were in flight: one operation's
// connection broke (a network error, 503), and another that had already
// chosen the server found its connection pool cleared. That error carries
// only the TransientTransactionError label, and translate took it for an
// internal error: GET /firms/{uscc}/eligibility answered 500 while the
// database was down (api/faults_test.go TestFaultEveryRouteWhileDown).
func TestTranslatePoolClearedIsUnavailable(t *testing.T) {
	// As the driver returns it: a driver.Error wrapping the pool error,
	// which the mongo package wraps in a CommandError.
	de := driver.Error{Message: poolCleared{}.Error(), Labels: []string{driver.TransientTransactionError}, Wrapped: poolCleared{}}
	err := error(mongo.CommandError{Message: de.Message, Labels: de.Labels, Wrapped: de})
	if mongo.IsNetworkError(err) || mongo.IsTimeout(err) {
		t.Fatal("the test's error is a network error or a timeout: it no longer shows the bug")
	}
	got := translate("get firm", fmt.Errorf("find: %w", err))
	if !errors.Is(got, registry.ErrUnavailable) {
		t.Errorf("translate(pool cleared) = %v, want registry.ErrUnavailable", got)
	}
	// A command the server refused is still not an outage.
	refused := translate("get firm", mongo.CommandError{Code: 2, Message: "BadValue", Name: "BadValue"})
	if errors.Is(refused, registry.ErrUnavailable) {
		t.Errorf("translate(BadValue) = %v: not an outage", refused)
	}
}
