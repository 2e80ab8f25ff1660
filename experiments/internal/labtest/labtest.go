// Package labtest holds what the experiments' tests share. Only tests
// import it.
package labtest

import (
	"strings"
	"testing"

	"concurrencylab/lab"
)

// Params checks q, parameters written as a query string without escapes
// ("goroutines=2&repeat=3"), against info, failing tb if lab refuses them.
func Params(tb testing.TB, info lab.Info, q string) lab.Params {
	tb.Helper()
	raw := map[string]string{}
	for _, kv := range strings.Split(q, "&") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			raw[k] = v
		}
	}
	p, err := lab.ParseMap(info, raw)
	if err != nil {
		tb.Fatalf("params %q: %v", q, err)
	}
	return p
}
