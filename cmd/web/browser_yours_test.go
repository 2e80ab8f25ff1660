//go:build !race

package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// setCode puts src in the page's editor as a learner typing would.
func setCode(t *testing.T, ctx context.Context, src string) {
	t.Helper()
	js, _ := json.Marshal(src)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
		const c = document.getElementById('yours-code');
		c.value = `+string(js)+`;
		c.dispatchEvent(new Event('input', {bubbles: true}));
		return true;
	})()`)); err != nil {
		t.Fatal(err)
	}
}

// pressCheck presses Check and waits for its answer in the status line.
func pressCheck(t *testing.T, ctx context.Context) string {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#yours-check"))); err != nil {
		t.Fatal(err)
	}
	status, err := chromedp.Run(ctx, chromedp.Poll[string](`(() => {
		const s = document.getElementById('yours-status').textContent;
		return s && !s.startsWith('Building') ? s : '';
	})()`, chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(90*time.Second)))
	if err != nil {
		t.Fatalf("waiting for the check: %v", err)
	}
	return status
}

// A learner on the race page breaks the starting file and sees the problem
// on its line, fixes it with a mutex, checks it and runs it: yours is in
// the table, correct, beside the lab's variant; what a learner's program
// prints or panics with is shown as text, never as markup.
func TestBrowserYours(t *testing.T) {
	base, _, stop := startEditServer(t)
	defer stop()
	ctx := newBrowserFor(t, 1280, 1000, 3*time.Minute)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/experiments/race?goroutines=2&increments=100000&repeat=3&variants=sequential"),
		chromedp.WaitVisible(chromedp.CSS("#yours-code")),
	); err != nil {
		t.Fatal(err)
	}
	setCode(t, ctx, "package yours\n\nfunc Count(c Counter, goroutines, increments int) {\n\tfor i := 0; i < goroutines; i++ {\n\t\tc.Increment(\n\t}\n}\n")
	status := pressCheck(t, ctx)
	problems, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#yours-problems")))
	if !strings.Contains(status, "the lab refuses this file") || !strings.Contains(problems, "Line 6:") {
		t.Errorf("a syntax error: got status %q, problems %q, want the problem on line 6", status, problems)
	}
	screenshot(t, ctx, "yours-problem.png")

	setCode(t, ctx, mutexCount)
	if status := pressCheck(t, ctx); !strings.Contains(status, "Run runs it as yours") {
		t.Fatalf("the mutex's check: got %q", status)
	}
	ticked, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('input[name=variants][value=yours]').checked && document.getElementById('yours-id').value.length === 20`))
	if !ticked {
		t.Fatal("after the check, yours is not ticked with the code's id in the form")
	}
	id := pressAndWait(t, ctx, "#run-btn", "")
	row := tableRow(t, ctx, "yours")
	if got := number(row["Got median"]); got != 200_000 {
		t.Errorf("run %s: the table shows yours got %q, want 200,000", id, row["Got median"])
	}
	screenshot(t, ctx, "yours-run.png")

	// The share link reopens the page with the learner's file.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/experiments/race?code="+getRun(t, base+"/api/runs/"+id)["params"].(map[string]any)["code"].(string))); err != nil {
		t.Fatal(err)
	}
	back, err := chromedp.Run(ctx, chromedp.Poll[string](`(() => {
		const c = document.getElementById('yours-code');
		return c && c.value.includes('mu.Lock()') ? c.value : '';
	})()`, chromedp.WithPollingTimeout(10*time.Second)))
	if err != nil || back != mutexCount {
		t.Errorf("the share link's code in the editor: got %q %v, want the mutex's file", back, err)
	}

	// Markup from a learner's program is text.
	evil := "package yours\n\nimport \"fmt\"\n\nfunc Count(c Counter, goroutines, increments int) {\n\tfmt.Println(\"<img src=x onerror=document.title='printed'>\")\n\tpanic(\"<img src=x onerror=document.title='panicked'>\")\n}\n"
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/experiments/race?goroutines=2&increments=1000&repeat=1&variants=sequential"), chromedp.WaitVisible(chromedp.CSS("#yours-code"))); err != nil {
		t.Fatal(err)
	}
	setCode(t, ctx, evil)
	pressCheck(t, ctx)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#run-btn"))); err != nil {
		t.Fatal(err)
	}
	shown, err := chromedp.Run(ctx, chromedp.Poll[string](`(() => {
		const t = document.body.innerText;
		return t.includes("onerror=document.title='panicked'") ? t : '';
	})()`, chromedp.WithPollingTimeout(60*time.Second)))
	if err != nil {
		t.Fatalf("the panic's message is not shown as text: %v", err)
	}
	title, _ := chromedp.Run(ctx, chromedp.Title())
	imgs, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('img[src="x"]').length`))
	if title == "printed" || title == "panicked" || imgs > 0 {
		t.Errorf("a learner's markup ran: title %q, %d injected images", title, imgs)
	}
	if !strings.Contains(shown, "yours, trial 1: your Count panicked") {
		t.Errorf("the page does not say yours panicked")
	}
	screenshot(t, ctx, "yours-escaped.png")
}
