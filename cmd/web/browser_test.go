//go:build !race

package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumPath is Debian's Chromium, which make setup installs. The tests
// never download a browser of their own.
const chromiumPath = "/usr/bin/chromium"

// artifactDir is where browser tests save their screenshots.
func artifactDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("..", "..", "test-artifacts")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// newBrowser starts a headless Chromium with a window of the given size.
func newBrowser(t *testing.T, width, height int) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("Chromium is not installed at %s (make setup installs it): %v", chromiumPath, err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true), // CI runs as root
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(90))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(artifactDir(t), name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("saved %s", path)
}

// TestBrowserRaceRun opens the race page from a share link, presses Run,
// waits for the verdict and checks the table shows the lost updates.
func TestBrowserRaceRun(t *testing.T) {
	base, stop := startServer(t, t.TempDir())
	defer stop()
	ctx := newBrowser(t, 1280, 1000)

	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/experiments/race?goroutines=8&increments=500000&repeat=4"),
		chromedp.WaitVisible("#run-btn", chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	// The share link filled the form.
	if v, err := chromedp.Run(ctx, chromedp.Value(`input[name="goroutines"]`, chromedp.ByQuery)); err != nil || v != "8" {
		t.Fatalf("goroutines field: got %q %v, want 8 from the link", v, err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click("#run-btn", chromedp.ByQuery),
		chromedp.WaitVisible("#run-verdict", chromedp.ByQuery),
		chromedp.WaitVisible("#run-table tbody tr", chromedp.ByQuery),
	); err != nil {
		t.Fatalf("waiting for the verdict: %v", err)
	}
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	if !strings.Contains(loc, "/runs/") {
		t.Errorf("got location %s, want the run's permalink /runs/{id}", loc)
	}
	verdict, err := chromedp.Run(ctx, chromedp.Text("#run-verdict", chromedp.ByQuery))
	if err != nil || verdict == "" {
		t.Fatalf("verdict: got %q %v", verdict, err)
	}
	// The unsynchronized row: "got" below "expected", in the page as shown.
	row, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(() => {
		const tr = [...document.querySelectorAll('#run-table tbody tr')].find(r => r.textContent.includes('unsynchronized'));
		return tr ? [...tr.cells].map(c => c.textContent.trim()) : [];
	})()`))
	if err != nil || len(row) < 7 {
		t.Fatalf("unsynchronized row: got %v %v", row, err)
	}
	expected, got := number(row[5]), number(row[6])
	if expected != 4_000_000 {
		t.Errorf("table expected: got %q, want 4,000,000", row[5])
	}
	if got >= expected || !strings.Contains(verdict, "lost") {
		t.Errorf("table got %q of %q, verdict %q: want lost updates shown", row[6], row[5], verdict)
	}
	// The timeline drew a lane per goroutine.
	lanes, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('#tl-canvas').height > 0`))
	if err != nil || !lanes {
		t.Errorf("timeline canvas: got drawn %v %v, want drawn", lanes, err)
	}
	screenshot(t, ctx, "race-run.png")

	// The permalink shows the same finished run after a reload.
	if err := chromedp.Do(ctx,
		chromedp.Reload(),
		chromedp.WaitVisible("#run-verdict", chromedp.ByQuery),
	); err != nil {
		t.Fatalf("reload permalink: %v", err)
	}
	again, _ := chromedp.Run(ctx, chromedp.Text("#run-verdict", chromedp.ByQuery))
	if again != verdict {
		t.Errorf("permalink verdict: got %q, want %q", again, verdict)
	}
}

// TestBrowserPhone checks the experiment page at a phone's width: nothing
// wider than the screen.
func TestBrowserPhone(t *testing.T) {
	base, stop := startServer(t, t.TempDir())
	defer stop()
	ctx := newBrowser(t, 390, 844)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/experiments/race"),
		chromedp.WaitVisible("#run-btn", chromedp.ByQuery),
	); err != nil {
		t.Fatal(err)
	}
	width, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if err != nil {
		t.Fatal(err)
	}
	if width > 390 {
		t.Errorf("page is %dpx wide at a 390px window: want no sideways scrolling", width)
	}
	screenshot(t, ctx, "race-phone.png")
}

// number reads a figure as the table shows it: "4,000,000" or "312 345".
func number(s string) int {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	n, _ := strconv.Atoi(b.String())
	return n
}
