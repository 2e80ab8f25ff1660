//go:build !race

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// editorJS runs body with m, the page's code editor module, and v, the
// editor of the learner's own variant.
func editorJS(body string) string {
	return `import('/static/vendor/codemirror/editor.js').then((m) => {
		const v = m.viewOf(document.querySelector('#yours-editor .cm-editor'));
		` + body + `
	})`
}

// setCode puts src in the page's editor, as a learner pasting it would:
// one edit of the editor's own.
func setCode(t *testing.T, ctx context.Context, src string) {
	t.Helper()
	js, _ := json.Marshal(src)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](editorJS(`m.setText(v, `+string(js)+`); return m.text(v) === `+string(js)+`;`),
		chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatal(err)
	}
}

// editorText returns the text in the page's editor.
func editorText(t *testing.T, ctx context.Context) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](editorJS(`return m.text(v);`), chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	return s
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

// The must-show of the editor, at a desktop's width and a phone's: a
// learner on the race page types in the editor, breaks the file and sees
// the problem marked on its line, formats a messy file with gofmt, fixes
// the count with a mutex, checks it and runs it with the execution trace:
// yours is in the table, right, and its goroutines have lanes in the
// timeline; the run's page shows the file it ran, read-only.
func TestBrowserYours(t *testing.T) {
	base, _, stop := startEditServer(t)
	defer stop()
	for _, size := range []struct {
		w, h int
		tag  string
	}{{1280, 1000, ""}, {390, 844, "-phone"}} {
		t.Run(fmt.Sprint(size.w), func(t *testing.T) { yoursWalk(t, base, size.w, size.h, size.tag) })
	}
}

func yoursWalk(t *testing.T, base string, width, height int, tag string) {
	ctx := newBrowserFor(t, width, height, 3*time.Minute)
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(int64(width), int64(height)), // a window is at least 500 px wide
		chromedp.Navigate(base+"/experiments/race?goroutines=2&increments=100000&repeat=3&variants=sequential&trace=true"),
		chromedp.WaitVisible(chromedp.CSS("#yours-editor .cm-content")),
	); err != nil {
		t.Fatal(err)
	}
	// The editor takes typing: the keys land in its text.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#yours-editor .cm-content")), chromedp.KeyEvent("\n// typed")); err != nil {
		t.Fatal(err)
	}
	if text := editorText(t, ctx); !strings.Contains(text, "// typed") {
		t.Errorf("typed into the editor: its text is %q", text)
	}

	setCode(t, ctx, "package yours\n\nfunc Count(c Counter, goroutines, increments int) {\n\tfor i := 0; i < goroutines; i++ {\n\t\tc.Increment(\n\t}\n}\n")
	status := pressCheck(t, ctx)
	problems, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#yours-problems")))
	if !strings.Contains(status, "the lab refuses this file") || !strings.Contains(problems, "Line 6:") {
		t.Errorf("a syntax error: got status %q, problems %q, want the problem on line 6", status, problems)
	}
	// Marked in the editor on its line: underlined, and a marker in the gutter.
	line, err := chromedp.Run(ctx, chromedp.Poll[int](editorJS(`const el = document.querySelector('#yours-editor .cm-lintRange-error');
		return el && document.querySelector('#yours-editor .cm-lint-marker-error') ? v.state.doc.lineAt(v.posAtDOM(el)).number : 0;`),
		chromedp.WithPollingTimeout(10*time.Second)))
	if err != nil || line != 6 {
		t.Errorf("the problem's mark in the editor: on line %d (%v), want 6", line, err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(document.querySelector('#yours').scrollIntoView(), true)`)); err != nil {
		t.Fatal(err)
	}
	shot(t, ctx, "yours-problem"+tag+".png")

	// gofmt puts a messy file right.
	setCode(t, ctx, strings.ReplaceAll(mutexCount, "\t", "  "))
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#yours-fmt"))); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](editorJS(`return m.text(v).includes('\tvar mu sync.Mutex');`), chromedp.WithPollingTimeout(10*time.Second))); err != nil || editorText(t, ctx) != mutexCount {
		t.Errorf("after gofmt the editor holds %q (%v), want the mutex's file as gofmt writes it", editorText(t, ctx), err)
	}

	if status := pressCheck(t, ctx); !strings.Contains(status, "Run runs it as yours") {
		t.Fatalf("the mutex's check: got %q", status)
	}
	ticked, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('input[name=variants][value=yours]').checked && document.getElementById('yours-id').value.length === 20`))
	if !ticked {
		t.Fatal("after the check, yours is not ticked with the code's id in the form")
	}
	id := pressAndWait(t, ctx, "#run-btn", "")
	row := tableRow(t, ctx, "yours")
	if got := number(row["Got median"]); got != 200_000 || !strings.Contains(row["Correct"], "all 3") {
		t.Errorf("run %s: the table shows yours got %q, correct %q; want 200,000 in all 3 trials", id, row["Got median"], row["Correct"])
	}
	// The traced trial: a lane for the goroutine that calls Count and one
	// for each of the two it starts.
	lanes, err := chromedp.Run(ctx, chromedp.Poll[string](`(() => {
		const c = document.querySelector('#tl-canvas');
		return c && c.dataset.lanesBy === 'goroutines' && / yours:/.test(c.dataset.groupLanes) ? c.dataset.groupLanes : '';
	})()`, chromedp.WithPollingInterval(200*time.Millisecond), chromedp.WithPollingTimeout(30*time.Second)))
	if err != nil || !yoursLanes(lanes, 3) {
		t.Errorf("the traced timeline's lanes: %q (%v), want yours with at least 3 goroutines", lanes, err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(document.querySelector('#tl').scrollIntoView(), true)`)); err != nil {
		t.Fatal(err)
	}
	shot(t, ctx, "yours-timeline"+tag+".png")
	screenshot(t, ctx, "yours-run"+tag+".png")
	if inner, scroll := pageWidth(t, ctx); scroll > inner {
		t.Errorf("at %d px the page is %d px wide, want no sideways scrolling", inner, scroll)
	}

	// The run's permanent page shows the file it ran, read-only.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/runs/"+id), chromedp.WaitVisible(chromedp.CSS("#yours-ran"))); err != nil {
		t.Fatal(err)
	}
	ran, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#yours-ran")))
	editable, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#yours textarea, #yours [contenteditable=true]').length`))
	if strings.TrimSpace(ran) != strings.TrimSpace(mutexCount) || editable != 0 {
		t.Errorf("the run's page shows %q (%d editable), want the mutex's file, read-only", ran, editable)
	}
	if tag != "" {
		return // the rest is the same at any width
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(document.querySelector('#yours').scrollIntoView(), true)`)); err != nil {
		t.Fatal(err)
	}
	shot(t, ctx, "yours-permalink.png")

	// The share link reopens the page with the learner's file.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/experiments/race?code="+getRun(t, base+"/api/runs/"+id)["params"].(map[string]any)["code"].(string))); err != nil {
		t.Fatal(err)
	}
	back, err := chromedp.Run(ctx, chromedp.Poll[string](editorJS(`const s = v ? m.text(v) : ''; return s.includes('mu.Lock()') ? s : '';`), chromedp.WithPollingTimeout(10*time.Second)))
	if err != nil || back != mutexCount {
		t.Errorf("the share link's code in the editor: got %q %v, want the mutex's file", back, err)
	}

	// Markup from a learner's program is text.
	evil := "package yours\n\nimport \"fmt\"\n\nfunc Count(c Counter, goroutines, increments int) {\n\tfmt.Println(\"<img src=x onerror=document.title='printed'>\")\n\tpanic(\"<img src=x onerror=document.title='panicked'>\")\n}\n"
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/experiments/race?goroutines=2&increments=1000&repeat=1&variants=sequential"), chromedp.WaitVisible(chromedp.CSS("#yours-editor .cm-content"))); err != nil {
		t.Fatal(err)
	}
	setCode(t, ctx, evil)
	pressCheck(t, ctx)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#run-btn"))); err != nil {
		t.Fatal(err)
	}
	shown, err := chromedp.Run(ctx, chromedp.Poll[string](`(() => {
		const t = document.body.innerText;
		return t.includes("your Count panicked: <img") ? t : '';
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

// yoursLanes reports whether a timeline's lanes ("sequential:1 yours:3")
// give yours at least n goroutines.
func yoursLanes(groups string, n int) bool {
	for _, g := range strings.Fields(groups) {
		if name, k, ok := strings.Cut(g, ":"); ok && name == "yours" {
			got, _ := strconv.Atoi(k)
			return got >= n
		}
	}
	return false
}
