package session

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"concurrencylab/lab/errs"
)

// CodeAlphabet is what room codes are made of: capitals and digits that
// cannot be mistaken for one another when read aloud or off a projector
// (no 0/O, no 1/I/L).
const CodeAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// CodeLen is the length of a room code: 31^6 is about 887 million codes.
const CodeLen = 6

// MaxNameLen bounds a display name, in characters.
const MaxNameLen = 40

// NewCode returns a random room code.
func NewCode() string {
	n := len(CodeAlphabet)
	limit := 256 - 256%n // reject above it, so every symbol is equally likely
	b := make([]byte, CodeLen)
	for i := range b {
		for {
			var c [1]byte
			rand.Read(c[:]) // never fails (crypto/rand panics instead)
			if int(c[0]) < limit {
				b[i] = CodeAlphabet[int(c[0])%n]
				break
			}
		}
	}
	return string(b)
}

// NormalizeCode returns s as a room code, in capitals, and whether it could
// be one; learners may type it in lower case.
func NormalizeCode(s string) (string, bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) != CodeLen {
		return "", false
	}
	for i := range len(s) {
		if !strings.ContainsRune(CodeAlphabet, rune(s[i])) {
			return "", false
		}
	}
	return s, true
}

// newSecret returns n random bytes, base64url without padding.
func newSecret(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// NewKey returns an instructor key: 32 random bytes, base64url.
func NewKey() string { return newSecret(32) }

// hashSecret is what is stored of a key or token: a server never keeps
// the secret itself, so a copy of the database does not drive sessions.
func hashSecret(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// secretMatches reports whether given hashes to hash, in time that does
// not depend on where they differ.
func secretMatches(given, hash string) bool {
	if given == "" || hash == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(hashSecret(given)), []byte(hash)) == 1
}

// ErrBadName is wrapped by the error CheckName returns.
var ErrBadName = errs.New(errs.Invalid, "bad display name")

// CheckName tidies a display name (trims it, folds runs of spaces) and
// checks it: 1 to MaxNameLen characters, no control or formatting
// characters (which could hide text or reverse its direction).
func CheckName(name string) (string, error) {
	if !utf8.ValidString(name) {
		return "", fmt.Errorf("%w: the name is not valid text", ErrBadName)
	}
	name = strings.Join(strings.Fields(name), " ")
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		return "", fmt.Errorf("%w: type a name to join, any name you like", ErrBadName)
	case n > MaxNameLen:
		return "", fmt.Errorf("%w: a name must be at most %d characters, got %d", ErrBadName, MaxNameLen, n)
	}
	for _, r := range name {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return "", fmt.Errorf("%w: the name has an invisible character (%U)", ErrBadName, r)
		}
	}
	return name, nil
}
