// Package webtest holds what the web packages' tests share: a quick fake
// experiment, one request helper and walks over parsed HTML. Only tests
// import it.
package webtest

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"concurrencylab/lab"
)

// Fake is a quick, deterministic experiment: each trial counts to n,
// waiting `wait` first.
type Fake struct{}

// Info implements lab.Experiment.
func (Fake) Info() lab.Info {
	return lab.Info{
		ID: "fake", Title: "A <fake> experiment", Summary: "for tests", Lesson: "one\n\ntwo",
		Params: []lab.Param{
			{Name: "n", Label: "N", Kind: lab.KindInt, Default: "3", Min: 1, Max: 100},
			{Name: "wait", Label: "Wait", Kind: lab.KindDuration, Default: "0s", Min: 0, Max: 10000},
			{Name: "note", Label: "Note", Kind: lab.KindText, Default: ""},
		},
		Variants: []lab.Variant{{Name: "a", Baseline: true}, {Name: "b"}},
		Source:   []lab.SourceFile{{Name: "fake.go", Code: "package fake"}},
		Repeat:   2,
	}
}

// Trial implements lab.Experiment.
func (Fake) Trial(ctx context.Context, variant string, p lab.Params, em lab.Emitter) (lab.Trial, error) {
	select {
	case <-time.After(p.Duration("wait")):
	case <-ctx.Done():
		return lab.Trial{}, ctx.Err()
	}
	n := p.Int("n")
	start := time.Now()
	for i := range n {
		em.Progress(int64(i+1), int64(n), "items")
	}
	em.Span(0, start, time.Now(), variant)
	return lab.Trial{Expected: lab.Int64(int64(n)), Got: lab.Int64(int64(n))}, nil
}

// Send sends one request to base+path with the given headers (name,
// value, ...) and returns the status, the response headers and the body.
func Send(t testing.TB, base, method, path, body string, headers ...string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(b)
}

// Walk calls f on n and on every node below it, in document order.
func Walk(n *html.Node, f func(*html.Node)) {
	f(n)
	for k := n.FirstChild; k != nil; k = k.NextSibling {
		Walk(k, f)
	}
}

// Attr returns the value of n's attribute key, or "".
func Attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// Text returns the text inside n.
func Text(n *html.Node) string {
	if n == nil {
		return ""
	}
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for k := n.FirstChild; k != nil; k = k.NextSibling {
		b.WriteString(Text(k))
	}
	return b.String()
}
