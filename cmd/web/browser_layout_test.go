//go:build !race

package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// layoutCases are the experiments' pages with parameters small enough for
// a quick run.
var layoutCases = []struct{ id, query string }{
	{"race", "goroutines=4&increments=20000&repeat=3"},
	{"locked", "goroutines=4&increments=20000&repeat=2"},
	{"primes", "numbers=60&repeat=2"},
	{"pipeline", "items=300&workers=2&repeat=2"},
	{"pixels", "clip=tree.avi&repeat=2"},
	{"failures", "repeat=2"},
	{"deadlock", "transfers=60&go_detector=false&repeat=2"},
	{"pool", "requests=60&repeat=2"},
	{"life", "size=32&generations=12&repeat=2"},
	{"waits", "n=200&latency=5ms&workers=10&repeat=2"},
}

// keyFigures returns each experiment's declared key figure, from the API.
func keyFigures(t *testing.T, base string) map[string]string {
	t.Helper()
	res, err := http.Get(base + "/api/experiments")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var list struct {
		Experiments []struct {
			ID      string `json:"id"`
			Figures []struct {
				Key  string `json:"key"`
				Main bool   `json:"main"`
			} `json:"figures"`
		} `json:"experiments"`
	}
	if err := json.NewDecoder(res.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range list.Experiments {
		for _, f := range e.Figures {
			if f.Main {
				out[e.ID] = f.Key
			}
		}
	}
	return out
}

// pageWidth returns the viewport's width and the page's scroll width.
func pageWidth(t *testing.T, ctx context.Context) (inner, scroll int) {
	t.Helper()
	w, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[innerWidth, document.documentElement.scrollWidth]`))
	if err != nil || len(w) != 2 {
		t.Fatalf("page width: %v %v", w, err)
	}
	return w[0], w[1]
}

// TestBrowserRunAboveFold opens every experiment's page as a first-time
// learner does, at 1280 × 900 and at a phone's 390 × 844: Run must end
// above the fold of the wide screen, and neither width may scroll sideways.
func TestBrowserRunAboveFold(t *testing.T) {
	base, stop := startServer(t, t.TempDir())
	defer stop()
	ctx := newBrowser(t, 1280, 900)
	for _, tt := range layoutCases {
		t.Run(tt.id, func(t *testing.T) {
			if err := chromedp.Do(ctx,
				chromedp.EmulateViewport(1280, 900),
				chromedp.Navigate(base+"/experiments/"+tt.id),
				chromedp.WaitVisible(chromedp.CSS("#run-btn")),
			); err != nil {
				t.Fatal(err)
			}
			bottom, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`scrollY + document.querySelector('#run-btn').getBoundingClientRect().bottom`))
			if err != nil || bottom <= 0 || bottom > 900 {
				t.Errorf("Run ends at %.0f px (%v), want above 900 px", bottom, err)
			}
			if inner, scroll := pageWidth(t, ctx); scroll > inner {
				t.Errorf("at 1280 px the page is %d px wide: want no sideways scrolling", scroll)
			}
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#run-btn"))); err != nil {
				t.Fatal(err)
			}
			if inner, scroll := pageWidth(t, ctx); inner != 390 || scroll > inner {
				t.Errorf("at a phone's width the page is %d px wide in %d: want 390 and no sideways scrolling", scroll, inner)
			}
			bottom, err = chromedp.Run(ctx, chromedp.Evaluate[float64](`scrollY + document.querySelector('#run-btn').getBoundingClientRect().bottom`))
			if err != nil || bottom <= 0 || bottom > 844 {
				t.Errorf("on a phone Run ends at %.0f px (%v), want above 844 px", bottom, err)
			}
			screenshot(t, ctx, "layout-"+tt.id+"-phone.png")
		})
	}
}

// keyColumn is where the results table's key column is.
type keyColumn struct {
	Key            string
	Index          int
	Right, WrapEnd float64
	ScrollLeft     float64
}

// phoneCards is what a phone shows of the results: rows, those laid out as
// cards, and those whose Got and Correct are in view.
type phoneCards struct {
	Rows, Grid      int
	Labels          []string
	GotSeen, OkSeen int
}

// TestBrowserKeyFigureAndCards runs every experiment and checks the result
// as a learner sees it: at 1280 px the experiment's key figure is the first
// column after the variant names and in view without scrolling sideways,
// and the table fits its box, every variant's details open or not; on a
// phone every variant is a card that shows Got and Correct, holds its
// figures (a speedup's interval too), and the page does not scroll
// sideways. Screenshots at both sizes, light and dark.
func TestBrowserKeyFigureAndCards(t *testing.T) {
	base, stop := startServer(t, t.TempDir())
	defer stop()
	keys := keyFigures(t, base)
	for _, tt := range layoutCases {
		t.Run(tt.id, func(t *testing.T) {
			ctx := newBrowser(t, 1280, 900) // a browser each: a run takes a while on a busy machine
			key := keys[tt.id]
			if key == "" {
				t.Fatalf("%s declares no key figure", tt.id)
			}
			if err := chromedp.Do(ctx,
				chromedp.EmulateViewport(1280, 900),
				chromedp.Navigate(base+"/experiments/"+tt.id+"?"+tt.query),
				chromedp.WaitVisible(chromedp.CSS("#run-btn")),
			); err != nil {
				t.Fatal(err)
			}
			id := pressAndWait(t, ctx, "#run-btn", "")
			if run := getRun(t, base+"/api/runs/"+id); run["status"] != "done" {
				t.Fatalf("run %s: got status %v (%v), want done", id, run["status"], run["error"])
			}
			col, err := chromedp.Run(ctx, chromedp.Evaluate[keyColumn](`(() => {
				const th = document.querySelector('#run-table thead th.key');
				const wrap = document.querySelector('#run-table').closest('.table-wrap');
				if (!th) return {Key: '', Index: -1};
				return {Key: th.dataset.col || th.dataset.figure, Index: th.cellIndex,
					Right: th.getBoundingClientRect().right, WrapEnd: wrap.getBoundingClientRect().right, ScrollLeft: wrap.scrollLeft};
			})()`))
			if err != nil {
				t.Fatal(err)
			}
			if col.Key != key || col.Index != 1 {
				t.Errorf("key column: got %q at column %d, want %q first after the variant", col.Key, col.Index, key)
			}
			if col.ScrollLeft != 0 || col.Right > col.WrapEnd || col.Right > 1280 {
				t.Errorf("key column ends at %.0f px, the table's box at %.0f (scrolled %.0f): want it in view", col.Right, col.WrapEnd, col.ScrollLeft)
			}
			if tt.id == "pipeline" {
				// every stage has lanes, named by stage and worker
				label, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#tl-canvas').getAttribute('aria-label')`))
				for _, want := range []string{"produce", "double #2", "increment", "collect"} {
					if err != nil || !strings.Contains(label, want) {
						t.Errorf("pipeline timeline %q (%v): want a lane named %q", label, err, want)
					}
				}
			}
			checkTableFits(t, ctx)
			screenshots(t, ctx, "layout-"+tt.id+"-run")

			if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#run-verdict"))); err != nil {
				t.Fatal(err)
			}
			cards, err := chromedp.Run(ctx, chromedp.Evaluate[phoneCards](`(() => {
				const rows = [...document.querySelectorAll('#run-table > tbody > tr:not(.trials)')];
				const seen = (c) => { const r = c.getBoundingClientRect(); return r.width > 0 && r.height > 0 && r.left >= 0 && r.right <= innerWidth; };
				// "Got median": a heading's label carries its unit after the name.
				const cell = (tr, label) => [...tr.cells].find((c) => c.dataset.label === label || String(c.dataset.label).startsWith(label + ' '));
				return {
					Rows: rows.length,
					Grid: rows.filter((r) => getComputedStyle(r).display === 'grid').length,
					Labels: rows.length ? [...rows[0].cells].slice(1).map((c) => c.dataset.label) : [],
					GotSeen: rows.filter((r) => cell(r, 'Got') && seen(cell(r, 'Got'))).length,
					OkSeen: rows.filter((r) => cell(r, 'Correct') && seen(cell(r, 'Correct'))).length,
				};
			})()`))
			if err != nil {
				t.Fatal(err)
			}
			if cards.Rows == 0 || cards.Grid != cards.Rows {
				t.Errorf("phone: %d of %d variants shown as cards, want all", cards.Grid, cards.Rows)
			}
			if cards.GotSeen != cards.Rows || cards.OkSeen != cards.Rows {
				t.Errorf("phone: Got in view on %d cards, Correct on %d, want %d each (labels %v)", cards.GotSeen, cards.OkSeen, cards.Rows, cards.Labels)
			}
			spill, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#run-table > tbody > tr:not(.trials)')]
				.filter((r) => r.scrollWidth > r.clientWidth + 1).map((r) => r.cells[0].textContent.trim() + ' ' + r.scrollWidth + ' in ' + r.clientWidth)`))
			if err != nil || len(spill) > 0 {
				t.Errorf("phone: cards wider than themselves (a figure sticks out): %v %v", spill, err)
			}
			if inner, scroll := pageWidth(t, ctx); scroll > inner {
				wide, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('body *')].filter((e) => !e.closest('thead') && e.getBoundingClientRect().right > innerWidth + 1).slice(0, 8).map((e) => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right))`))
				t.Errorf("phone: the run page is %d px wide in %d: want no sideways scrolling (too wide: %v)", scroll, inner, wide)
			}
			screenshot(t, ctx, "layout-"+tt.id+"-run-phone.png")
		})
	}
}

// tableFit is the results table's box: its width and its content's, and
// the columns folded into the variants' details.
type tableFit struct {
	Scroll, Client int
	Folded         []string
	Note           string
}

// checkTableFits checks the results table fits its box without scrolling
// sideways, first as it is, then with every variant's details open, and
// that a folded column is named under the table and listed in the details.
func checkTableFits(t *testing.T, ctx context.Context) {
	t.Helper()
	measure := `(() => {
		const wrap = document.querySelector('#run-table').closest('.table-wrap');
		const note = wrap.nextElementSibling;
		return {Scroll: wrap.scrollWidth, Client: wrap.clientWidth,
			Folded: [...document.querySelectorAll('#run-table thead th.folded')].map((th) => th.dataset.col || th.dataset.figure),
			Note: note && note.classList.contains('fold-note') ? note.textContent : ''};
	})()`
	for _, open := range []bool{false, true} {
		if open {
			if _, err := chromedp.Run(ctx, chromedp.Evaluate[int](`[...document.querySelectorAll('#run-table button.v-toggle[aria-expanded=false]')].map((b) => b.click()).length`)); err != nil {
				t.Fatal(err)
			}
		}
		fit, err := chromedp.Run(ctx, chromedp.Evaluate[tableFit](measure))
		if err != nil {
			t.Fatal(err)
		}
		if fit.Client == 0 || fit.Scroll > fit.Client {
			t.Errorf("details open %v: the results table is %d px wide in a box of %d: want it to fit", open, fit.Scroll, fit.Client)
		}
		if len(fit.Folded) > 0 && fit.Note == "" {
			t.Errorf("columns %v folded with no note under the table naming them", fit.Folded)
		}
		if open && len(fit.Folded) > 0 {
			listed, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#run-table tr.trials dl.folded-figs:not([hidden]) dt').length`))
			rows, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#run-table tr.trials').length`))
			if listed != rows*len(fit.Folded) {
				t.Errorf("details list %d folded figures, want %d for each of %d variants", listed, len(fit.Folded), rows)
			}
		}
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[int](`[...document.querySelectorAll('#run-table button.v-toggle[aria-expanded=true]')].map((b) => b.click()).length`)); err != nil {
		t.Fatal(err)
	}
}
