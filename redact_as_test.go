package genexp

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// quietErr's text leaves out its cause's, which may hold a secret.
type quietErr struct{ cause error }

func (e *quietErr) Error() string { return "login failed" }
func (e *quietErr) Unwrap() error { return e.cause }

// TestRedactedErrorHandsOutNoSecret: what errors.As finds in a redacted
// error holds no secret down its whole chain, not only in its own text;
// a typed nil in the chain is skipped, not called.
func TestRedactedErrorHandsOutNoSecret(t *testing.T) {
	redact := func(s string) string { return strings.ReplaceAll(s, "hunter2", "REDACTED") }
	secret := fmt.Errorf("dial sqlserver://sa:hunter2@db: refused")
	err := redactWith(fmt.Errorf("connecting: %w", &quietErr{secret}), redact)
	var q *quietErr
	if errors.As(err, &q) {
		t.Errorf("errors.As gave an error whose cause holds the secret: %v", errors.Unwrap(q))
	}
	// clean at the top, secret below: still redacted
	if _, ok := redactWith(&quietErr{secret}, redact).(*redactedError); !ok {
		t.Error("an error whose text is clean but whose cause holds the secret was not redacted")
	}
	var typedNil *quietErr
	err = redactWith(fmt.Errorf("hunter2: %w", error(typedNil)), redact)
	var q2 *quietErr
	if errors.As(err, &q2) {
		t.Errorf("errors.As gave a nil error")
	}
}

// loopErr's Unwrap leads back to itself.
type loopErr struct{}

func (e *loopErr) Error() string { return "hunter2 again" }
func (e *loopErr) Unwrap() error { return e }

// TestRedactionOfACyclicChainEnds: an error whose Unwrap leads back to
// itself is redacted, and As returns, instead of walking forever.
func TestRedactionOfACyclicChainEnds(t *testing.T) {
	redact := func(s string) string { return strings.ReplaceAll(s, "hunter2", "REDACTED") }
	if clean(&loopErr{}, func(s string) string { return s }) {
		t.Error("a cycle counted as clean")
	}
	err := redactWith(fmt.Errorf("wrapped: %w", &loopErr{}), redact)
	var q *quietErr
	if errors.As(err, &q) || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("cyclic chain: %v", err)
	}
}
