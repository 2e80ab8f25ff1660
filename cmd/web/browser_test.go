//go:build !race

package main

import (
	"context"
	"fmt"
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

// newBrowser starts a headless Chromium with a window of the given size,
// for a test of at most 90 seconds.
func newBrowser(t *testing.T, width, height int) context.Context {
	t.Helper()
	return newBrowserFor(t, width, height, 90*time.Second)
}

// newBrowserFor is newBrowser for a test of at most d.
func newBrowserFor(t *testing.T, width, height int, d time.Duration) context.Context {
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
	ctx, cancelTimeout := context.WithTimeout(ctx, d)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	saveShot(t, ctx, name, chromedp.FullScreenshot(100)) // quality 100 gives a PNG
}

// shot saves the viewport as it is, not the whole page.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	saveShot(t, ctx, name, chromedp.CaptureScreenshot())
}

// saveShot takes a screenshot with capture and keeps it in the test's
// artifacts as name.
func saveShot(t *testing.T, ctx context.Context, name string, capture chromedp.Action[[]byte]) {
	t.Helper()
	png, err := chromedp.Run(ctx, capture)
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
// waits for the verdict and checks the table shows what the server
// measured, trial by trial. Updates are lost only while two goroutines run
// at once on different cores, which a busy machine can deny a whole run, so
// it presses Re-run (up to five runs of ten trials) until a trial lost
// updates, and checks the table shows that loss.
func TestBrowserRaceRun(t *testing.T) {
	base, stop := startServer(t, t.TempDir())
	defer stop()
	ctx := newBrowser(t, 1280, 1000)

	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/experiments/race?goroutines=8&increments=1000000&repeat=10"),
		chromedp.WaitVisible(chromedp.CSS("#run-btn")),
	)
	if err != nil {
		t.Fatal(err)
	}
	// The share link filled the form.
	if v, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(`input[name="goroutines"]`))); err != nil || v != "8" {
		t.Fatalf("goroutines field: got %q %v, want 8 from the link", v, err)
	}
	button, last := "#run-btn", ""
	for attempt := 1; attempt <= 5; attempt++ {
		id := pressAndWait(t, ctx, button, last)
		run := getRun(t, base+"/api/runs/"+id)
		result := run["result"].(map[string]any)
		var api map[string]any
		for _, v := range result["variants"].([]any) {
			if v.(map[string]any)["name"] == "unsynchronized" {
				api = v.(map[string]any)
			}
		}
		verdict, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#run-verdict")))
		if verdict != result["verdict"] {
			t.Errorf("run %s: page verdict %q, want the server's %q", id, verdict, result["verdict"])
		}
		row := tableRow(t, ctx, "unsynchronized")
		if expected, got := number(row["Expected"]), decimal(row["Got median"]); float64(expected) != api["expected"] || got != api["got"] {
			t.Errorf("run %s: table shows got %q of %q, want the server's %v of %v", id, row["Got median"], row["Expected"], api["got"], api["expected"])
		}
		// Every trial as the table lists it, against the server's.
		shown := trialGots(t, ctx, "unsynchronized")
		trials := api["trials"].([]any)
		if len(shown) != len(trials) {
			t.Fatalf("run %s: table lists %d trials, want %d", id, len(shown), len(trials))
		}
		lost := 0
		for i, tr := range trials {
			want := tr.(map[string]any)["got"].(float64)
			if float64(shown[i]) != want {
				t.Errorf("run %s trial %d: table shows got %d, want the server's %v", id, i+1, shown[i], want)
			}
			if shown[i] < 8_000_000 {
				lost++
			}
		}
		screenshot(t, ctx, "race-run.png")
		// Others' share of the run's cores, where the run measured it.
		if others, ok := run["env"].(map[string]any)["others_pct"].(float64); ok {
			want := fmt.Sprintf("took %v%% of the run's cores", others)
			if env := pollText(t, ctx, "#run-env", want); !strings.Contains(env, want) {
				t.Errorf("run %s: env block %q, want it to say other programs %s", id, env, want)
			}
		}
		if lost > 0 {
			if !strings.Contains(verdict, "Updates were lost") {
				t.Errorf("verdict %q does not report the lost updates the table shows", verdict)
			}
			checkTimeline(t, ctx)
			checkPermalink(t, ctx, verdict)
			return
		}
		t.Logf("run %d of 5 lost no update in 10 trials (the cores were busy); pressing Re-run", attempt)
		button, last = "#run-rerun", id
	}
	t.Errorf("no trial of five runs lost an update: the table never showed the race")
}

// trialGots opens a variant's trials in the results table and returns the
// count each trial got, as the page shows it.
func trialGots(t *testing.T, ctx context.Context, variant string) []int {
	t.Helper()
	cells, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(() => {
		const b = document.querySelector('#run-table button.v-toggle[data-variant="`+variant+`"]');
		if (!b) return [];
		if (b.getAttribute('aria-expanded') !== 'true') b.click();
		const sub = document.getElementById(b.getAttribute('aria-controls'));
		return [...sub.querySelectorAll('table.sub tbody tr')].map(r => r.cells[2].textContent.trim());
	})()`))
	if err != nil {
		t.Fatalf("%s trials: %v", variant, err)
	}
	gots := make([]int, len(cells))
	for i, c := range cells {
		gots[i] = number(c)
	}
	return gots
}

// pressAndWait clicks button and waits for a run other than last to show
// its verdict; it returns the run's id.
func pressAndWait(t *testing.T, ctx context.Context, button, last string) string {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(button))); err != nil {
		t.Fatalf("click %s: %v", button, err)
	}
	js := strings.ReplaceAll(`(() => {
		const m = location.pathname.match(/^\/runs\/(\w+)$/);
		const v = document.querySelector('#run-verdict');
		return m && m[1] !== LAST && v && !v.hidden && v.textContent ? m[1] : '';
	})()`, "LAST", strconv.Quote(last))
	// Polling on every animation frame would keep the page busy on the
	// cores the run is measuring; five times a second is enough.
	id, err := chromedp.Run(ctx, chromedp.Poll[string](js, chromedp.WithPollingInterval(200*time.Millisecond), chromedp.WithPollingTimeout(60*time.Second)))
	if err != nil {
		t.Fatalf("waiting for the verdict: %v", err)
	}
	return id
}

// tableRow returns the cells of the results row naming variant, by the
// heading each cell carries (its data-label: "Got median", "Median ms").
func tableRow(t *testing.T, ctx context.Context, variant string) map[string]string {
	t.Helper()
	row, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]string](`(() => {
		const tr = [...document.querySelectorAll('#run-table tbody tr')].find(r => r.cells[0] && r.cells[0].textContent.includes('`+variant+`'));
		return tr ? Object.fromEntries([...tr.cells].slice(1).map(c => [c.dataset.label, c.textContent.trim()])) : {};
	})()`))
	if err != nil || len(row) < 7 {
		t.Fatalf("%s row: got %v %v, want the result cells", variant, row, err)
	}
	return row
}

// checkTimeline checks the timeline canvas was drawn, not left blank.
func checkTimeline(t *testing.T, ctx context.Context) {
	t.Helper()
	painted, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
		const c = document.querySelector('#tl-canvas');
		if (!c || !c.width || !c.height) return false;
		const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
		const first = d.slice(0, 4).join();
		for (let i = 0; i < d.length; i += 4 * 97) if (d.slice(i, i + 4).join() !== first) return true;
		return false;
	})()`))
	if err != nil || !painted {
		t.Errorf("timeline canvas: got painted %v %v, want spans drawn", painted, err)
	}
}

// checkPermalink reloads the run's page and expects the same verdict.
func checkPermalink(t *testing.T, ctx context.Context, verdict string) {
	t.Helper()
	if err := chromedp.Do(ctx,
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS("#run-verdict")),
	); err != nil {
		t.Fatalf("reload permalink: %v", err)
	}
	again, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#run-verdict")))
	if again != verdict {
		t.Errorf("permalink verdict: got %q, want %q", again, verdict)
	}
}

// TestBrowserPhone checks the experiment page at a phone's width: nothing
// wider than the screen.
func TestBrowserPhone(t *testing.T) {
	base, stop := startServer(t, t.TempDir())
	defer stop()
	ctx := newBrowser(t, 1280, 1000)
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844), // headless windows do not go below ~500px
		chromedp.Navigate(base+"/experiments/race"),
		chromedp.WaitVisible(chromedp.CSS("#run-btn")),
	); err != nil {
		t.Fatal(err)
	}
	width, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[innerWidth, document.documentElement.scrollWidth]`))
	if err != nil {
		t.Fatal(err)
	}
	if width[0] != 390 || width[1] > width[0] {
		t.Errorf("page is %dpx wide in a %dpx viewport: want 390 and no sideways scrolling", width[1], width[0])
	}
	screenshot(t, ctx, "race-phone.png")
}

// number reads a figure as the table shows it: "4,000,000" or "312 345".
// decimal reads a number as the page writes it, with separators and
// perhaps a fraction (a median of an even number of counts ends in .5).
func decimal(s string) float64 {
	x, _ := strconv.ParseFloat(strings.NewReplacer(",", "", "\u00a0", "", " ", "").Replace(strings.TrimSpace(s)), 64)
	return x
}

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

// pollText waits up to 5 s for the element's text to contain want (the
// env block is filled from GET /api/runs after the stream ends) and
// returns it.
func pollText(t *testing.T, ctx context.Context, sel, want string) string {
	t.Helper()
	var text string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		text, _ = chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if strings.Contains(text, want) {
			break
		}
	}
	return text
}
