//go:build !race

package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// tracedView is what the timeline shows of a traced trial.
type tracedView struct {
	View, Trial string
	Lanes       int
	Legend      []string
}

const tracedViewJS = `(() => {
	const c = document.querySelector('#tl-canvas'), sel = document.querySelector('#tl-trial');
	return {View: c.dataset.lanesBy || '', Lanes: Number(c.dataset.lanes || 0),
		Trial: sel.selectedOptions[0] ? sel.selectedOptions[0].textContent : '',
		Legend: [...document.querySelectorAll('#tl-legend [data-state]')].map((e) => e.dataset.state)};
})()`

// waitView waits until the timeline shows view ("goroutines",
// "processors") and returns what it shows.
func waitView(t *testing.T, ctx context.Context, view string) tracedView {
	t.Helper()
	js := `document.querySelector('#tl-canvas').dataset.lanesBy === '` + view + `'`
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		got, _ := chromedp.Run(ctx, chromedp.Evaluate[tracedView](tracedViewJS))
		t.Fatalf("waiting for the %s view: %v (the timeline shows %+v)", view, err, got)
	}
	v, err := chromedp.Run(ctx, chromedp.Evaluate[tracedView](tracedViewJS))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// A traced pipeline's page shows the traced trial by state with its
// legend, a lane per goroutine and on the switch a lane per processor; a
// blocked span leads to the goroutine that woke it; the raw trace is a
// link that downloads.
func TestBrowserTracedTimeline(t *testing.T) {
	base, stop := startServer(t, t.TempDir())
	defer stop()
	id := submit(t, base, "pipeline", `{"variants":"channels","items":200,"repeat":1,"trace":true}`)
	if run := waitStatus(t, base, id, 2*time.Minute, "done", "failed"); run["status"] != "done" {
		t.Fatalf("got %v (%v), want done", run["status"], run["error"])
	}
	ctx := newBrowser(t, 1280, 900)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(base+"/runs/"+id), chromedp.WaitVisible(chromedp.CSS("#run-verdict"))); err != nil {
		t.Fatal(err)
	}
	g := waitView(t, ctx, "goroutines")
	if g.Trial != "Traced trial" {
		t.Errorf("trial selector shows %q, want the traced trial chosen", g.Trial)
	}
	for _, s := range []string{"running", "runnable", "blocked", "syscall"} {
		if !slices.Contains(g.Legend, s) {
			t.Errorf("legend %v: want %q", g.Legend, s)
		}
	}
	// the trial's goroutine and three stages, at least
	if g.Lanes < 4 {
		t.Errorf("got %d goroutine lanes, want at least 4", g.Lanes)
	}
	checkTimeline(t, ctx)

	// The keyboard walks the spans to a blocked one whose waker is a lane;
	// Enter outlines that lane and says so.
	mark, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
		const c = document.querySelector('#tl-canvas'), tip = document.querySelector('#tl-tip');
		const key = (k) => c.dispatchEvent(new KeyboardEvent('keydown', {key: k, bubbles: true}));
		c.focus();
		for (let row = 0; row < 40; row++) {
			key(row ? 'ArrowDown' : 'ArrowRight');
			for (let i = 0; i < 600; i++) {
				if (!tip.hidden && tip.textContent.includes('Click to show')) { key('Enter'); return 'found'; }
				key('ArrowRight');
			}
		}
		return '';
	})()`))
	if err != nil || mark != "found" {
		t.Fatalf("keyboard: no blocked span with a waker found (%q %v)", mark, err)
	}
	said, err := chromedp.Run(ctx, chromedp.Poll[string](`(() => { const m = document.querySelector('#tl-canvas').dataset.mark; return m ? m + ' | ' + document.querySelector('#tl-say').textContent : ''; })()`,
		chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second)))
	if err != nil {
		t.Errorf("Enter on a blocked span: got no waker outlined (%v)", err)
	} else {
		t.Logf("waker: %s", said)
	}

	// The switch: a lane per processor (the run had at most 2 cores).
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS("#tl-view"), "p")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('#tl-view').dispatchEvent(new Event('change'))`)); err != nil {
		t.Fatal(err)
	}
	p := waitView(t, ctx, "processors")
	if p.Lanes < 1 || p.Lanes > 2 || p.Lanes == g.Lanes {
		t.Errorf("per processor: got %d lanes, want 1 or 2 (and not the %d goroutines)", p.Lanes, g.Lanes)
	}
	if !slices.Contains(p.Legend, "goroutine") || slices.Contains(p.Legend, "blocked") {
		t.Errorf("per processor legend %v: want a colour per goroutine, not the states", p.Legend)
	}

	// Download trace: a link per variant, which fetches 200.
	link, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(() => {
		const box = document.querySelector('#run-traces');
		const a = [...document.querySelectorAll('#run-traces-list a')];
		return [String(box.hidden), box.textContent.includes('go tool trace') ? 'says' : '', ...a.map((e) => e.getAttribute('href'))];
	})()`))
	if err != nil || len(link) != 3 || link[0] != "false" || link[1] != "says" || link[2] != "/runs/"+id+"/trace/channels" {
		t.Fatalf("download block: got %v %v, want it shown, naming go tool trace, with one link to /runs/%s/trace/channels", link, err, id)
	}
	status, err := chromedp.Run(ctx, chromedp.Evaluate[int](`fetch(document.querySelector('#run-traces-list a').href).then((r) => r.status)`, chromedp.EvalAwaitPromise))
	if err != nil || status != 200 {
		t.Errorf("the download link answers %d (%v), want 200", status, err)
	}
}

// TestBrowserTracedScreenshots saves the traced timeline of race (two
// goroutines), pipeline (channels) and primes (gil) at 1280 × 900 and
// 390 × 844, light and dark, to be looked at; at a phone's width the page
// must not scroll sideways.
func TestBrowserTracedScreenshots(t *testing.T) {
	base, stop := startServer(t, t.TempDir())
	defer stop()
	cases := []struct{ name, exp, params string }{
		{"race", "race", `{"variants":"unsynchronized","goroutines":2,"increments":2000000,"repeat":1,"trace":true}`},
		{"pipeline", "pipeline", `{"variants":"channels","items":200,"repeat":1,"trace":true}`},
		{"primes-gil", "primes", `{"variants":"gil","numbers":60,"repeat":1,"trace":true}`},
	}
	ids := make([]string, len(cases))
	for i, c := range cases {
		ids[i] = submit(t, base, c.exp, c.params)
	}
	ctx := newBrowser(t, 1280, 900)
	for i, c := range cases {
		if run := waitStatus(t, base, ids[i], 2*time.Minute, "done", "failed"); run["status"] != "done" {
			t.Fatalf("%s: got %v (%v), want done", c.name, run["status"], run["error"])
		}
		for _, size := range []struct {
			w, h int
			tag  string
		}{{1280, 900, ""}, {390, 844, "-phone"}} {
			for _, scheme := range []string{"light", "dark"} {
				colourScheme(t, ctx, scheme)
				if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(size.w), int64(size.h)), chromedp.Navigate(base+"/runs/"+ids[i]), chromedp.WaitVisible(chromedp.CSS("#run-verdict"))); err != nil {
					t.Fatal(err)
				}
				v := waitView(t, ctx, "goroutines")
				if v.Lanes < 2 {
					t.Errorf("%s: %d goroutine lanes, want at least 2", c.name, v.Lanes)
				}
				if inner, scroll := pageWidth(t, ctx); scroll > inner {
					t.Errorf("%s at %d px: the page is %d px wide, want no sideways scrolling", c.name, inner, scroll)
				}
				// the viewport, from the timeline's heading down: the view as a learner scrolls to it
				if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(scrollTo(0, scrollY + document.querySelector('#tl').getBoundingClientRect().top - 8), true)`)); err != nil {
					t.Fatal(err)
				}
				png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
				if err != nil {
					t.Fatal(err)
				}
				path := filepath.Join(artifactDir(t), "trace-"+c.name+size.tag+"-"+scheme+".png")
				if err := os.WriteFile(path, png, 0o644); err != nil {
					t.Fatal(err)
				}
				if size.tag == "" && scheme == "light" {
					// and who ran where: a lane per processor
					if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const s = document.querySelector('#tl-view'); s.value = 'p'; return s.dispatchEvent(new Event('change')); })()`)); err != nil {
						t.Fatal(err)
					}
					waitView(t, ctx, "processors")
					png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
					if err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(filepath.Join(artifactDir(t), "trace-"+c.name+"-procs-light.png"), png, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
	}
	colourScheme(t, ctx, "light")
}
