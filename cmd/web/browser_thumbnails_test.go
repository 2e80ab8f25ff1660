//go:build !race

package main

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserThumbnailsAndProcesses runs each of the two experiments that
// start child processes from its page, with small parameters: every
// variant gets a row, every one is right, and thumbnails shows the first
// photo's thumbnails at 200, 64 and 32 px and each variant's overlap.
func TestBrowserThumbnailsAndProcesses(t *testing.T) {
	base, stop := startServer(t, t.TempDir())
	defer stop()
	tests := []struct{ name, query string }{
		{"thumbnails", "images=4&width=640&latency=20ms&bandwidth=50&repeat=2"},
		{"processes", "children=3&duration=20ms&megabytes=4&repeat=2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
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
			variants := run["result"].(map[string]any)["variants"].([]any)
			for _, v := range variants {
				v := v.(map[string]any)
				if v["correct"] != true {
					t.Errorf("%s: got correct %v, want true", v["name"], v["correct"])
				}
			}
			rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#run-table > tbody > tr:not(.trials)').length`))
			if err != nil || rows != len(variants) {
				t.Errorf("table has %d variant rows (%v), want %d", rows, err, len(variants))
			}
			if tt.name != "thumbnails" {
				return
			}
			wait, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			if err := chromedp.Do(wait, chromedp.WaitVisible(chromedp.CSS(`[data-view="thumbs"] #th-imgs img`))); err != nil {
				t.Fatalf("no thumbnails shown: %v", err)
			}
			widths, err := chromedp.Run(ctx, chromedp.Poll[[]int](`(() => {
				const imgs = [...document.querySelectorAll('#th-imgs img')];
				return imgs.length && imgs.every((i) => i.complete && i.naturalWidth) ? imgs.map((i) => i.naturalWidth) : null;
			})()`, chromedp.WithPollingTimeout(5*time.Second)))
			if err != nil || len(widths) != 3 || widths[0] != 200 || widths[1] != 64 || widths[2] != 32 {
				t.Errorf("got thumbnails %v wide (%v), want 200, 64 and 32", widths, err)
			}
			bars, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#th-bars .th-bar').length`))
			if err != nil || bars != len(variants) {
				t.Errorf("got %d overlap bars (%v), want one a variant, %d", bars, err, len(variants))
			}
		})
	}
}
