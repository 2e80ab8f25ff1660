//go:build !race

package main

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserSessionRoom walks a room as issue 12 tried it, in Chromium:
// the instructor makes a session from the catalog and is asked to save
// the link first; the key survives opening the console in a new tab; a
// spotlit run leaves the learner's page when a new push starts a round; a
// queued learner and the console see how long the wait is; the reveal
// shows what the runs got beside the guesses, with the answer labelled
// expected; and the board keeps its text readable at a phone's width.
// Screenshots of the console, the learner's page and the board, phone and
// desktop, light and dark, go to test-artifacts.
func TestBrowserSessionRoom(t *testing.T) {
	base, stop := startServer(t, t.TempDir())
	defer stop()
	console := newBrowser(t, 1280, 900)

	// New session from the catalog: step 0 asks to save the link.
	if err := chromedp.Do(console,
		chromedp.Navigate(base+"/"),
		chromedp.Click(chromedp.CSS(`form[action="/sessions"] button`)),
		chromedp.WaitVisible(chromedp.CSS("#save-link")),
	); err != nil {
		t.Fatal(err)
	}
	code, err := chromedp.Run(console, chromedp.Evaluate[string](`document.getElementById('session').dataset.code`))
	if err != nil || code == "" {
		t.Fatalf("room code: %q %v", code, err)
	}
	key, _ := chromedp.Run(console, chromedp.Evaluate[string](`localStorage.getItem('concurrencylab.key.' + document.getElementById('session').dataset.code) || ''`))
	if !regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`).MatchString(key) {
		t.Fatalf("key kept in localStorage: got %q, want the session's key", key)
	}
	if u, _ := chromedp.Run(console, chromedp.Evaluate[string](`location.href`)); strings.Contains(u, key) {
		t.Errorf("console URL %q still shows the key", u)
	}
	link, _ := chromedp.Run(console, chromedp.Evaluate[[]string](`[document.querySelector('#save-link-input').value, document.querySelector('#save-link-input').type]`))
	if len(link) != 2 || link[0] != base+"/sessions/"+code+"/console#key="+key || link[1] != "password" {
		t.Errorf("link to save: got %v, want the instructor link, masked", link)
	}
	screenshot(t, console, "room-console-save-step.png")
	if err := chromedp.Do(console, chromedp.Click(chromedp.CSS("#save-done-btn"))); err != nil {
		t.Fatal(err)
	}
	poll(t, console, `document.querySelector('#save-link').hidden`, "the save step gone once saved")

	// The console in a new tab of the same browser, without the key in
	// its link, still drives the room: it pushes race.
	tab, closeTab := chromedp.NewContext(console)
	defer closeTab()
	if err := chromedp.Do(tab,
		chromedp.Navigate(base+"/sessions/"+code+"/console"),
		chromedp.WaitVisible(chromedp.CSS("#push-slot input[name=goroutines]")),
	); err != nil {
		t.Fatal(err)
	}
	poll(t, tab, `document.querySelector('#reach-warning') !== null`, "the loopback warning on the console")
	state, _ := chromedp.Run(tab, chromedp.Evaluate[[]bool](`[document.querySelector('#key-error').hidden, document.querySelector('#push-btn').disabled, document.querySelector('#save-link').hidden]`))
	if fmt.Sprint(state) != "[true false true]" {
		t.Errorf("console in a new tab: got key-error hidden, push disabled, save step hidden = %v, want [true false true]", state)
	}
	if err := chromedp.Do(tab,
		chromedp.SetValue(chromedp.CSS("#push-slot input[name=goroutines]"), "5"),
		chromedp.SetValue(chromedp.CSS("#push-slot input[name=increments]"), "100000"),
		chromedp.SetValue(chromedp.CSS("#push-slot input[name=repeat]"), "2"),
		chromedp.Click(chromedp.CSS("#push-btn")),
	); err != nil {
		t.Fatal(err)
	}
	poll(t, tab, `/Round 1/.test(document.querySelector('#console-status').textContent)`, "the push from the new tab")

	// A learner joins, in a tab of a browser of their own.
	learner := newBrowser(t, 1280, 900)
	join := base + "/sessions/" + code
	if err := chromedp.Do(learner,
		chromedp.Navigate(join),
		chromedp.SendKeys(chromedp.CSS("#join-name"), "Ada"),
		chromedp.Click(chromedp.CSS("#join-btn")),
		chromedp.WaitVisible(chromedp.CSS("#follow")),
	); err != nil {
		t.Fatal(err)
	}
	poll(t, learner, `document.querySelector('#stage h1')?.textContent === 'A data race on a counter'`, "the push on the learner's page")

	// Predict; Ada guesses on the page, five more through the API and
	// run; a room run times the experiment first.
	api := base + "/api/sessions/" + code
	if status, out := call(t, "POST", api+"/predict", key, `{"question": "count"}`); status != 200 {
		t.Fatalf("predict: got %d %v", status, out)
	}
	poll(t, learner, `!document.querySelector('#sess-predict').hidden`, "the prediction on the learner's page")
	if err := chromedp.Do(learner,
		chromedp.SendKeys(chromedp.CSS("#guess-input"), "500000"),
		chromedp.Click(chromedp.CSS("#guess-btn")),
	); err != nil {
		t.Fatal(err)
	}
	status, room := call(t, "POST", api+"/run", key, "")
	if status != 201 {
		t.Fatalf("room run: got %d %v", status, room)
	}
	readRun(t, base, room["events"].(string))
	poll(t, tab, `/Asking everyone: 1 learner here, all done in (about \d+ s|under a second) \(/.test(document.querySelector('#ask-estimate').textContent)`, "the estimate of asking everyone on the console")
	estimateBefore, _ := chromedp.Run(tab, chromedp.Text(chromedp.CSS("#ask-estimate")))

	var who []string
	for i, name := range []string{"Grace", "Linus", "Barbara", "Ken", "Edsger"} {
		_, j := call(t, "POST", api+"/join", "", `{"name": "`+name+`"}`)
		w := `"learner": "` + j["learner"].(map[string]any)["id"].(string) + `", "token": "` + j["token"].(string) + `"`
		who = append(who, w)
		call(t, "POST", api+"/guess", "", `{`+w+`, "value": `+[]string{"500000", "420000", "300000", "500000", "480000"}[i]+`}`)
	}
	if err := chromedp.Do(tab, chromedp.Click(chromedp.CSS("#ask-btn"))); err != nil {
		t.Fatal(err)
	}
	// A long run ahead in the line, so Ada's run waits and says for how long.
	status, long := call(t, "POST", base+"/api/runs", "", `{"experiment": "race", "params": {"goroutines": 48, "increments": 10000000, "repeat": 5, "variants": "sequential"}}`)
	if status != 201 {
		t.Fatalf("a long run: got %d %v", status, long)
	}
	// Every text the status lines show is recorded: a wait may be short.
	record(t, learner, "#form-status", "#run-status-text")
	record(t, tab, "#ask-estimate")
	if err := chromedp.Do(learner, chromedp.Click(chromedp.CSS("#run-btn"))); err != nil {
		t.Fatal(err)
	}
	queued := poll(t, learner, `seen('#form-status', /^Queued: \d+(st|nd|rd|th) in line; the wait is in the run panel$/)`, "the place in line beside the learner's Run button, the wait left to the panel")
	panelStatus := poll(t, learner, `seen('#run-status-text', /^Queued: \d+(st|nd|rd|th) in line, (done in about \d+ (s|min)|due any moment)/)`, "the wait in the learner's run panel")
	for _, w := range who {
		if status, out := call(t, "POST", api+"/runs", "", `{`+w+`}`); status != 201 {
			t.Fatalf("run: got %d %v", status, out)
		}
	}
	estimateAfter := poll(t, tab, `seen('#ask-estimate', /^Everyone's runs: \d+ done, \d+ in line or running, all done in (about \d+ (s|min)|under a second)/)`, "the round's wait on the console after asking")
	t.Logf("estimate before asking %q, after %q; Ada's form %q, panel %q", estimateBefore, estimateAfter, queued, panelStatus)
	call(t, "POST", base+"/api/runs/"+long["id"].(string)+"/cancel", "", "")
	poll(t, tab, `[...document.querySelectorAll('#board-table tbody tr')].filter(r => r.textContent.includes('done')).length === 6`, "six runs done on the console's board")

	// Reveal: the learner's page shows what the runs got beside the guesses.
	if status, out := call(t, "POST", api+"/reveal", key, ""); status != 200 {
		t.Fatalf("reveal: got %d %v", status, out)
	}
	reveal := poll(t, learner, `(() => { const r = document.querySelector('#sess-reveal'); return !r.hidden && /Measured: 6 runs got (from )?\d/.test(r.textContent) ? r.textContent : ''; })()`, "the measured answers in the learner's reveal")
	if !strings.Contains(reveal, "Expected: 500,000") || !strings.Contains(reveal, "Guessed: 6 guesses") {
		t.Errorf("learner's reveal: got %q, want the guesses, the runs' answers and the expected 500,000", reveal)
	}
	if n, _ := chromedp.Run(learner, chromedp.Evaluate[int](`document.querySelectorAll('#sess-reveal .sess-reveal-runs li').length`)); n != 6 {
		t.Errorf("learner's reveal lists %d runs, want 6", n)
	}

	// Spotlight Linus's run: it plays on the learner's page.
	_, view := call(t, "GET", api, "", "")
	var linusRun string
	for _, e := range view["board"].([]any) {
		if e := e.(map[string]any); e["label"] == "Linus" {
			linusRun = e["run"].(string)
		}
	}
	if status, out := call(t, "POST", api+"/spotlight", key, `{"run": "`+linusRun+`"}`); status != 200 {
		t.Fatalf("spotlight: got %d %v", status, out)
	}
	poll(t, learner, `/In the spotlight: Linus's run/.test(document.querySelector('#watch-label').textContent) && !document.querySelector('#run-verdict').hidden`, "Linus's run in the spotlight on the learner's page")
	screenshots(t, learner, "room-learner")
	poll(t, tab, `/Linus's run, in the spotlight/.test(document.querySelector('#watch-label').textContent)`, "the spotlight on the console")
	screenshots(t, tab, "room-console")

	// The board, on a desktop and on a phone, light and dark.
	board := newBrowser(t, 1280, 900)
	if err := chromedp.Do(board,
		chromedp.Navigate(join+"/board"),
		chromedp.WaitVisible(chromedp.CSS("#board-chart svg")),
		chromedp.WaitVisible(chromedp.CSS("#predict-chart svg")),
	); err != nil {
		t.Fatal(err)
	}
	labels, _ := chromedp.Run(board, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#predict-chart text.median-label')].map(t => t.textContent)`))
	if strings.Join(labels, "|") != "expected: 500,000" {
		t.Errorf("prediction chart's line: got %q, want it labelled \"expected: 500,000\"", labels)
	}
	if dots, _ := chromedp.Run(board, chromedp.Evaluate[int](`document.querySelectorAll('#predict-chart circle.measured').length`)); dots != 6 {
		t.Errorf("prediction chart: got %d measured answers, want 6", dots)
	}
	screenshots(t, board, "room-board")
	if err := chromedp.Do(board, chromedp.EmulateViewport(390, 844)); err != nil {
		t.Fatal(err)
	}
	poll(t, board, `document.querySelector('#board-chart svg').viewBox.baseVal.width < 400`, "the board redrawn at a phone's width")
	smallest, err := chromedp.Run(board, chromedp.Evaluate[[]float64](`[...document.querySelectorAll('#board-chart svg text, #predict-chart svg text')].map(t => {
		const svg = t.ownerSVGElement;
		const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
		return parseFloat(getComputedStyle(t).fontSize) * scale;
	})`))
	if err != nil || len(smallest) < 10 {
		t.Fatalf("board's chart text: got %v %v, want axis labels to measure", smallest, err)
	}
	for _, px := range smallest {
		if px < 10 {
			t.Errorf("board at 390px: chart text of %.1fpx, want every label at least 10px (all: %v)", px, smallest)
			break
		}
	}
	if w, _ := chromedp.Run(board, chromedp.Evaluate[[]int](`[innerWidth, document.documentElement.scrollWidth]`)); len(w) != 2 || w[1] > w[0] {
		t.Errorf("board at 390px is %v wide: want no sideways scrolling", w)
	}
	if err := chromedp.Do(board, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatal(err)
	}

	// A new push starts a round: the spotlight leaves the learner's page,
	// the banner and the results it showed with it.
	if status, out := call(t, "POST", api+"/push", key, `{"experiment": "primes", "params": {}}`); status != 200 {
		t.Fatalf("push: got %d %v", status, out)
	}
	poll(t, learner, `document.querySelector('#stage h1')?.textContent !== 'A data race on a counter'`, "the new push on the learner's page")
	after, _ := chromedp.Run(learner, chromedp.Evaluate[[]any](`[document.querySelector('#watch-label').textContent,
		document.querySelector('#run-body').hidden, document.querySelector('#run-verdict').hidden,
		document.querySelector('#run-table tbody').children.length, document.querySelector('#run').dataset.runId || '']`))
	if fmt.Sprint(after) != "[ true true 0 ]" {
		t.Errorf("learner's page after a new push: got [banner, results hidden, verdict hidden, result rows, run] = %q, want no banner and no results", after)
	}
	poll(t, tab, `document.querySelector('#watch-label').textContent === '' && document.querySelector('#run-body').hidden`, "the spotlight gone from the console after a new push")
	screenshot(t, learner, "room-learner-new-round.png")
}

// record installs seen(selector, regexp) on the page: the first text the
// elements matched by the selectors have shown since that matches regexp,
// or an empty string.
func record(t *testing.T, ctx context.Context, selectors ...string) {
	t.Helper()
	js := `(() => {
		window.__texts = window.__texts || {};
		for (const sel of ` + "[" + `'` + strings.Join(selectors, `', '`) + `'` + "]" + `) {
			const el = document.querySelector(sel);
			const texts = window.__texts[sel] = [el.textContent];
			new MutationObserver(() => texts.push(el.textContent)).observe(el, { childList: true, characterData: true, subtree: true });
		}
		window.seen = (sel, re) => (window.__texts[sel] || []).find((s) => re.test(s)) || '';
		return true;
	})()`
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js)); err != nil {
		t.Fatal(err)
	}
}

// screenshots saves the page at 1280 × 900 and at 390 × 844, light and
// dark, as name-desktop.png, name-phone-dark.png, ...
func screenshots(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	for _, size := range []struct {
		name string
		w, h int64
	}{{"desktop", 1280, 900}, {"phone", 390, 844}} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(size.w, size.h)); err != nil {
			t.Fatal(err)
		}
		for _, scheme := range []string{"light", "dark"} {
			colourScheme(t, ctx, scheme)
			chromedp.Do(ctx, chromedp.Sleep(300*time.Millisecond)) // the board redraws at its new width
			suffix := ""
			if scheme == "dark" {
				suffix = "-dark"
			}
			screenshot(t, ctx, name+"-"+size.name+suffix+".png")
		}
	}
	colourScheme(t, ctx, "light")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatal(err)
	}
}
