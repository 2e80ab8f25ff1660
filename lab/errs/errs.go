// Package errs gives the lab's errors a kind: what went wrong in terms a
// caller can act on (the request was invalid, the thing is not there, the
// caller has too much going on). An error keeps its own message and
// carries its kind through every %w that wraps it; the web layer answers
// each kind with one HTTP status, in one place.
package errs

import "errors"

// A Kind classifies an error. A Kind is itself an error, so that
// errors.Is(err, errs.NotFound) asks an error its kind.
type Kind uint8

// The kinds, with the HTTP status the web layer answers each with.
const (
	// Other is an error of no kind below: the server failed (500).
	Other Kind = iota
	// Invalid: the request is malformed or out of bounds (400).
	Invalid
	// NotFound: what the request names does not exist (404).
	NotFound
	// Forbidden: the request lacks the secret the action needs (403).
	Forbidden
	// Conflict: the state of things does not allow it now (409).
	Conflict
	// Busy: the caller has as much going on as it may; later (429).
	Busy
	// Unavailable: the server cannot take it now; try again (503).
	Unavailable
	// Unprocessable: the request is well-formed, but what it carries
	// cannot be used, such as an upload that is no video (422).
	Unprocessable
	// NoSpace: the store holds as much as it may (507).
	NoSpace
)

var names = [...]string{"other error", "invalid", "not found", "forbidden", "conflict", "busy", "unavailable", "unprocessable", "no space"}

func (k Kind) Error() string {
	if int(k) < len(names) {
		return names[k]
	}
	return "unknown kind of error"
}

// New returns an error of kind k with text as its message.
func New(k Kind, text string) error { return &kindError{kind: k, err: errors.New(text)} }

// Mark returns err as an error of kind k: the same message, the same
// chain for errors.Is and errors.As, and errors.Is(err, k) true.
func Mark(k Kind, err error) error { return &kindError{kind: k, err: err} }

type kindError struct {
	kind Kind
	err  error
}

func (e *kindError) Error() string   { return e.err.Error() }
func (e *kindError) Unwrap() []error { return []error{e.kind, e.err} }

// KindOf returns the kind of err: the first kind found along its chain
// (the outermost one), or Other.
func KindOf(err error) Kind {
	var k Kind
	if errors.As(err, &k) {
		return k
	}
	return Other
}

// Truncate shortens s, input quoted in a message, to its first max bytes
// and an ellipsis, so that bad input cannot flood a reply or a log.
func Truncate(s string, max int) string {
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}
