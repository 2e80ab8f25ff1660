//go:build !race

package main

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// checkPhoneWidth fails unless the page in ctx, at a phone's 390 px, is
// no wider than the phone; it names what sticks out.
func checkPhoneWidth(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844)); err != nil {
		t.Fatal(err)
	}
	if inner, scroll := pageWidth(t, ctx); inner != 390 || scroll > inner {
		wide, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > innerWidth + 1).slice(0, 8).map((e) => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right))`))
		t.Errorf("%s on a phone is %d px wide in %d: want no sideways scrolling (too wide: %v)", page, scroll, inner, wide)
	}
}

// TestBrowserSessionPagesPhone opens every page of a session on a phone:
// the console, the join screen, a learner's page after joining and the
// board; none may be wider than the phone.
func TestBrowserSessionPagesPhone(t *testing.T) {
	base, stop := startServer(t, t.TempDir())
	defer stop()
	c := createSession(t, base)
	ctx := newBrowser(t, 1280, 900)
	type A = []chromedp.Action[chromedp.Void]
	steps := []struct {
		page string
		acts A
	}{
		{"the console", A{chromedp.Navigate(c.InstructorURL), chromedp.WaitVisible(chromedp.CSS("#push-slot input[name=goroutines]"))}},
		{"the join screen", A{chromedp.Navigate(c.JoinURL), chromedp.WaitVisible(chromedp.CSS("#join-name"))}},
		{"a learner's page", A{chromedp.SendKeys(chromedp.CSS("#join-name"), "Grace Brewster Murray Hopper"),
			chromedp.Click(chromedp.CSS("#join-btn")), chromedp.WaitVisible(chromedp.CSS("#follow"))}},
		{"the board", A{chromedp.Navigate(base + "/sessions/" + c.Code + "/board"), chromedp.WaitVisible(chromedp.CSS("#board-table"))}},
	}
	for _, s := range steps {
		if err := chromedp.Do(ctx, append(A{chromedp.EmulateViewport(390, 844)}, s.acts...)...); err != nil {
			t.Fatalf("%s: %v", s.page, err)
		}
		checkPhoneWidth(t, ctx, s.page)
	}
}

// TestBrowserDeadlockReport runs deadlock's naive variant with Go's own
// detector shown: the page gives Go's report its own output panel below
// the table (the fatal error and the goroutines it names, every line in
// view), and the watchdog's cycle of waits another.
func TestBrowserDeadlockReport(t *testing.T) {
	base, stop := startServer(t, t.TempDir())
	defer stop()
	ctx := newBrowser(t, 1280, 900)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/experiments/deadlock?variants=naive,ordered&accounts=4&goroutines=8&transfers=300&work=1ms&repeat=2"),
		chromedp.WaitVisible(chromedp.CSS("#run-btn")),
	); err != nil {
		t.Fatal(err)
	}
	id := pressAndWait(t, ctx, "#run-btn", "")
	if run := getRun(t, base+"/api/runs/"+id); run["status"] != "done" {
		t.Fatalf("run %s: got status %v (%v), want done", id, run["status"], run["error"])
	}
	type panel struct {
		Title, Found, Text string
		Scroll, Client     int
	}
	panels, err := chromedp.Run(ctx, chromedp.Evaluate[[]panel](`[...document.querySelectorAll('#run-reports section.reports')].map((s) => {
		const pre = s.querySelector('.rep-pre');
		return {Title: s.querySelector('h3').textContent, Found: s.querySelector('.rep-found')?.textContent || '',
			Text: pre?.textContent || '', Scroll: pre?.scrollWidth || 0, Client: pre?.clientWidth || 0};
	})`))
	if err != nil {
		t.Fatal(err)
	}
	byTitle := map[string]panel{}
	for _, p := range panels {
		byTitle[p.Title] = p
	}
	goes, ok := byTitle["Go's own deadlock detector"]
	if !ok {
		t.Fatalf("got panels %+v, want one for Go's own deadlock detector", panels)
	}
	for _, want := range []string{"fatal error: all goroutines are asleep - deadlock!", "goroutine 1 [", "exit status 2", "alive\n(printed nothing: still hung after 1s, killed)"} {
		if !strings.Contains(goes.Text, want) {
			t.Errorf("Go's report %q: want it to hold %q", goes.Text, want)
		}
	}
	if goes.Scroll > goes.Client {
		t.Errorf("Go's report is %d px wide in %d: want long lines wrapped", goes.Scroll, goes.Client)
	}
	cycle, ok := byTitle["Cycle of waits"]
	if !ok || !strings.HasPrefix(cycle.Text, "goroutine ") || !strings.Contains(cycle.Text, "waits for account") || !strings.Contains(cycle.Found, "wait for each other") {
		t.Errorf("got cycle panel %+v (%v), want the goroutines of the cycle, one a line", cycle, ok)
	}
	// The trials' table leaves both to their panels.
	heads, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('table.sub th')].map((th) => th.textContent).join('|')`))
	for _, gone := range []string{"Go asleep", "Cycle|"} {
		if strings.Contains(heads+"|", gone) {
			t.Errorf("a trials table has a column %q beside its panel: %s", gone, heads)
		}
	}
	if err := chromedp.Do(ctx, chromedp.ScrollIntoView(chromedp.CSS("#run-reports"))); err != nil {
		t.Fatal(err)
	}
	screenshots(t, ctx, "deadlock-report")
}

// TestBrowserShareLinkKeepsValid opens share links with one bad value:
// the form keeps every other value of the link and a note on the page
// names the value it dropped.
func TestBrowserShareLinkKeepsValid(t *testing.T) {
	base, stop := startServer(t, t.TempDir())
	defer stop()
	ctx := newBrowser(t, 1280, 900)
	tests := []struct {
		name, query         string
		goroutines, repeat  string
		increments, dropped string
	}{
		{"out of bounds", "goroutines=256&increments=99999999999&repeat=4", "256", "4", "1000000", "increments must be"},
		{"too much together", "goroutines=256&increments=5000000&repeat=4", "256", "4", "1000000", `increments "5000000" does not fit`},
		{"unknown name", "goroutines=3&colour=blue&repeat=4", "3", "4", "1000000", "colour is not a parameter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := chromedp.Do(ctx,
				chromedp.Navigate(base+"/experiments/race?"+tt.query),
				chromedp.WaitVisible(chromedp.CSS("#run-btn")),
			); err != nil {
				t.Fatal(err)
			}
			got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`['goroutines', 'repeat', 'increments'].map((n) => document.querySelector('#params [name=' + n + ']')?.value ?? '?')
				.concat([document.querySelector('#form-error').hidden ? '' : document.querySelector('#form-error').textContent])`))
			if err != nil || len(got) != 4 {
				t.Fatalf("form: %v %v", got, err)
			}
			if got[0] != tt.goroutines || got[1] != tt.repeat || got[2] != tt.increments {
				t.Errorf("form shows goroutines %s, repeat %s, increments %s; want %s, %s and %s", got[0], got[1], got[2], tt.goroutines, tt.repeat, tt.increments)
			}
			if !strings.Contains(got[3], tt.dropped) {
				t.Errorf("note %q: want it to name the value dropped (%q)", got[3], tt.dropped)
			}
		})
	}
	screenshots(t, ctx, "share-link-dropped")
}
