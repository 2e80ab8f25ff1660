//go:build !race

package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserDeclaredViews checks that a view shows only on the page of
// the experiment that declares it: race's step-through after a recorded
// run, pixels' clip gallery, neither on locked's page; at a desktop's size
// and a phone's. Screenshots go to test-artifacts.
func TestBrowserDeclaredViews(t *testing.T) {
	base, stop := startServer(t, t.TempDir())
	defer stop()
	sizes := []struct {
		name string
		w, h int64
	}{{"desktop", 1280, 900}, {"phone", 390, 844}}
	pages := []struct {
		name, path string
		run        bool   // press Run and wait for the result first
		want       string // the view's selector, visible; "" for none
	}{
		{"race", "/experiments/race?goroutines=2&increments=1000&repeat=3&steps=true", true, `[data-view="steps"]`},
		{"pixels", "/experiments/pixels?clip=tree.avi", false, `.clips .clip-cards li`},
		{"locked", "/experiments/locked?goroutines=2&increments=1000&repeat=2", true, ""},
	}
	for _, sz := range sizes {
		for _, pg := range pages {
			t.Run(pg.name+"/"+sz.name, func(t *testing.T) {
				ctx := newBrowser(t, 1280, 1000)
				if err := chromedp.Do(ctx,
					chromedp.EmulateViewport(sz.w, sz.h),
					chromedp.Navigate(base+pg.path),
					chromedp.WaitVisible(chromedp.CSS("#run-btn")),
				); err != nil {
					t.Fatal(err)
				}
				if pg.run {
					pressAndWait(t, ctx, "#run-btn", "")
				}
				if pg.want != "" {
					wait, cancel := context.WithTimeout(ctx, 15*time.Second)
					defer cancel()
					if err := chromedp.Do(wait, chromedp.WaitVisible(chromedp.CSS(pg.want))); err != nil {
						t.Errorf("%s not visible: %v", pg.want, err)
					}
					if pg.name == "race" {
						// scroll the step-through into view for the screenshot
						chromedp.Run(ctx, chromedp.ScrollIntoView(chromedp.CSS(pg.want)))
					}
				}
				// No other view's panel or file is on the page.
				js := fmt.Sprintf(`[...document.querySelectorAll('[data-view], script[src*="/static/experiments/"]')].filter((e) => !%q || !e.matches(%q) && !(e.src || '').includes('/static/experiments/%s/')).length`,
					pg.want, pg.want, pg.name)
				if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](js)); err != nil || n != 0 {
					t.Errorf("page has %d views or view scripts not its own (%v), want 0", n, err)
				}
				screenshot(t, ctx, "views-"+pg.name+"-"+sz.name+".png")
			})
		}
	}
}
