//go:build !race

package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserFailures runs every failures variant through a real server
// and page: the panic's process of its own died with exit status 2, the run
// went on to the variants after it, and the page shows the panic's output
// as a report below the table, not squeezed into a cell.
func TestBrowserFailures(t *testing.T) {
	base, stop := startServer(t, t.TempDir())
	defer stop()
	ctx := newBrowser(t, 1280, 1000)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/experiments/failures?repeat=2"),
		chromedp.WaitVisible(chromedp.CSS("#run-btn")),
	); err != nil {
		t.Fatal(err)
	}
	id := pressAndWait(t, ctx, "#run-btn", "")
	run := getRun(t, base+"/api/runs/"+id)
	if run["status"] != "done" {
		t.Fatalf("run %s: got status %v (%v), want done", id, run["status"], run["error"])
	}
	variants := run["result"].(map[string]any)["variants"].([]any)
	var names []string
	for _, v := range variants {
		names = append(names, v.(map[string]any)["name"].(string))
	}
	if got := strings.Join(names, ","); got != "bare,collect,errgroup,panic,recover" {
		t.Fatalf("got variants %s, want all five: the run goes on after the panic", got)
	}
	report, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(() => {
		const sec = [...document.querySelectorAll('section.reports')].find((s) => s.textContent.includes('panic'));
		if (!sec) return [];
		return [sec.querySelector('h3').textContent, sec.querySelector('.rep-pre')?.textContent || '', sec.querySelector('.rep-cmd')?.textContent || ''];
	})()`))
	if err != nil || len(report) != 3 {
		t.Fatalf("no report section for the panic's output (%v)", err)
	}
	if report[0] != "Output" || !strings.HasPrefix(report[1], "panic: task 3 failed") || !strings.Contains(report[1], "goroutine ") {
		t.Errorf("got report %q with %q, want Output with the panic and its goroutine", report[0], report[1])
	}
	if !strings.Contains(report[2], "exit status 2") {
		t.Errorf("got report line %q, want exit status 2", report[2])
	}
	// The trials' tables leave the output to the report.
	cells, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('table.sub td.txt').length`))
	if err != nil {
		t.Fatal(err)
	}
	heads, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('table.sub th')].map((th) => th.textContent).join('|')`))
	if strings.Contains(heads, "Output") {
		t.Errorf("a trials table has an Output column (%d text cells): %s", cells, heads)
	}
	screenshot(t, ctx, "experiment-failures.png")
}
