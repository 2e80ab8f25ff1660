package main

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// TestSessionPublicURLEndToEnd starts the server with -public-url: the
// join link POST /api/sessions answers is on that address, and the
// console shows it (the link under the QR code, the address to type),
// though the console was opened at 127.0.0.1.
func TestSessionPublicURLEndToEnd(t *testing.T) {
	base, stop := startServer(t, t.TempDir(), "-public-url", "http://lab.example.org:8080")
	defer stop()
	c := createSession(t, base)
	if want := "http://lab.example.org:8080/sessions/" + c.Code; c.JoinURL != want {
		t.Errorf("join_url: got %q, want %q", c.JoinURL, want)
	}
	res, err := http.Get(base + "/sessions/" + c.Code + "/console")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	doc, err := html.Parse(strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	var link, kicker string
	var warned bool
	var visit func(*html.Node)
	visit = func(n *html.Node) {
		if n.Type == html.ElementNode {
			for _, a := range n.Attr {
				switch {
				case a.Key == "id" && a.Val == "reach-warning":
					warned = true
				case a.Key == "class" && a.Val == "sess-kicker":
					kicker = text(n)
				}
			}
			if n.Data == "figcaption" {
				link = text(n)
			}
		}
		for k := n.FirstChild; k != nil; k = k.NextSibling {
			visit(k)
		}
	}
	visit(doc)
	if link != c.JoinURL {
		t.Errorf("console's join link: got %q, want %q", link, c.JoinURL)
	}
	if !strings.Contains(kicker, "lab.example.org:8080/sessions") {
		t.Errorf("console's address to type: got %q, want lab.example.org:8080/sessions", kicker)
	}
	if warned {
		t.Error("console warns about a loopback address although the server has a public URL")
	}
}

// text is a node's text.
func text(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for k := n.FirstChild; k != nil; k = k.NextSibling {
		b.WriteString(text(k))
	}
	return b.String()
}
