package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"golang.org/x/net/html"

	"concurrencylab/lab"
	"concurrencylab/lab/runs"
	"concurrencylab/web"
	"concurrencylab/web/internal/webtest"
)

// dice is a throwaway experiment with a view of its own: a panel, a
// script, a style and a route, none of which web knows.
type dice struct{ webtest.Fake }

func (dice) Info() lab.Info {
	info := webtest.Fake{}.Info()
	info.ID, info.Title = "dice", "Dice"
	info.Views = []lab.View{{Name: "cup", Panel: "cup.html", Scripts: []string{"cup.js"}, Styles: []string{"cup.css"}}}
	info.Files = fstest.MapFS{
		"cup.html": {Data: []byte(`<p id="cup-face">⚄</p>`)},
		"cup.js":   {Data: []byte(`export const faces = 6;`)},
		"cup.css":  {Data: []byte(`#cup-face { font-size: 3rem; }`)},
	}
	return info
}

// Routes makes dice a web.Router.
func (dice) Routes(*slog.Logger) map[string]http.Handler {
	return map[string]http.Handler{
		"GET /api/dice/roll": http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "4") }),
	}
}

var _ web.Router = dice{}

func TestDeclaredViews(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	exps := []lab.Experiment{dice{}, webtest.Fake{}}
	m, err := runs.NewManager(context.Background(), log, runs.NewMemStore(), runs.Config{}, exps)
	if err != nil {
		t.Fatal(err)
	}
	site := web.New(log, m, fstest.MapFS{}, web.ExperimentRoutes(exps))
	ts := httptest.NewServer(site.Handler())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		m.Shutdown(ctx)
		site.CloseSockets(ctx)
		ts.Close()
	})

	const script, style = "/static/experiments/dice/cup.js", "/static/experiments/dice/cup.css"
	tests := []struct {
		name, path string
		want       bool // the page has dice's view
	}{
		{"its page", "/experiments/dice", true},
		{"another experiment's page", "/experiments/fake", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, body := webtest.Send(t, ts.URL, "GET", tt.path, "")
			if status != http.StatusOK {
				t.Fatalf("GET %s: got %d, want 200", tt.path, status)
			}
			doc, err := html.Parse(strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			var scripts, styles, panels, faces []string
			webtest.Walk(doc, func(n *html.Node) {
				switch {
				case n.Data == "script":
					scripts = append(scripts, webtest.Attr(n, "src"))
				case n.Data == "link" && webtest.Attr(n, "rel") == "stylesheet":
					styles = append(styles, webtest.Attr(n, "href"))
				case n.Data == "section" && webtest.Attr(n, "data-view") != "":
					panels = append(panels, webtest.Attr(n, "data-view"))
				case webtest.Attr(n, "id") == "cup-face":
					faces = append(faces, webtest.Text(n))
				}
			})
			got := []bool{slices.Contains(scripts, script), slices.Contains(styles, style),
				slices.Equal(panels, []string{"cup"}), slices.Equal(faces, []string{"⚄"})}
			for i, what := range []string{"script " + script, "style " + style, "panel cup", "panel's HTML"} {
				if got[i] != tt.want {
					t.Errorf("has %s: got %v, want %v (scripts %v, styles %v, panels %v)", what, got[i], tt.want, scripts, styles, panels)
				}
			}
		})
	}

	files := []struct {
		path       string
		want       int
		body, kind string
	}{
		{script, 200, "export const faces = 6;", "javascript"},
		{style, 200, "#cup-face { font-size: 3rem; }", "text/css"},
		{"/static/experiments/dice/nope.js", 404, "", ""},
		{"/static/experiments/fake/cup.js", 404, "", ""}, // fake declares no files
		{"/static/experiments/nope/cup.js", 404, "", ""},
		{"/api/dice/roll", 200, "4", ""},
	}
	for _, f := range files {
		status, h, body := webtest.Send(t, ts.URL, "GET", f.path, "")
		if status != f.want || (f.want == 200 && body != f.body) || !strings.Contains(h.Get("Content-Type"), f.kind) {
			t.Errorf("GET %s: got %d %q (%s), want %d %q (%s)", f.path, status, body, h.Get("Content-Type"), f.want, f.body, f.kind)
		}
	}
	if status, _, _ := webtest.Send(t, ts.URL, "POST", "/api/dice/roll", ""); status != http.StatusMethodNotAllowed {
		t.Errorf("POST /api/dice/roll: got %d, want 405", status)
	}
}
