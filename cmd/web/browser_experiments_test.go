//go:build !race

package main

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserEveryExperiment opens each experiment's page with small
// parameters, presses Run and checks the page shows the server's verdict,
// a table row per variant that ran and a drawn chart, then saves a
// screenshot.
func TestBrowserEveryExperiment(t *testing.T) {
	base, stop := startServer(t, t.TempDir())
	defer stop()
	tests := []struct {
		name, query string
		chart       string // a CSS selector that must exist once the run is done
		shot        string
	}{
		{"locked", "goroutines=4&increments=20000&repeat=2", "#chart-grid canvas", "locked"},
		{"primes", "numbers=60&repeat=2", "#chart-grid canvas", "primes"},
		{"primes", "workload=io&tasks=4&latency=20ms&sweep=true&repeat=1", "#run canvas", "primes-sweep"},
		{"pipeline", "items=300&repeat=2", "#chart-grid canvas", "pipeline"},
		{"pixels", "clip=tree.avi&repeat=2", "#chart-grid canvas", "pixels"},
	}
	for _, tt := range tests {
		t.Run(tt.name+"?"+tt.query, func(t *testing.T) {
			ctx := newBrowser(t, 1280, 1000)
			if err := chromedp.Do(ctx,
				chromedp.Navigate(base+"/experiments/"+tt.name+"?"+tt.query),
				chromedp.WaitVisible(chromedp.CSS("#run-btn")),
			); err != nil {
				t.Fatal(err)
			}
			id := pressAndWait(t, ctx, "#run-btn", "")
			run := getRun(t, base+"/api/runs/"+id)
			if run["status"] != "done" {
				t.Fatalf("run %s: got status %v (%v), want done", id, run["status"], run["error"])
			}
			result := run["result"].(map[string]any)
			verdict, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#run-verdict")))
			if verdict == "" || verdict != result["verdict"] {
				t.Errorf("page verdict %q, want the server's %q", verdict, result["verdict"])
			}
			rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#run-table > tbody > tr:not(.trials)').length`))
			if want := len(result["variants"].([]any)); err != nil || rows != want {
				t.Errorf("table has %d variant rows (%v), want %d", rows, err, want)
			}
			// Charts are drawn from samples that arrive while the run goes.
			wait, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			if err := chromedp.Do(wait, chromedp.WaitReady(chromedp.CSS(tt.chart))); err != nil {
				t.Errorf("no chart %s: %v", tt.chart, err)
			}
			screenshot(t, ctx, "experiment-"+tt.shot+".png")
		})
	}
}
