//go:build !race

package main

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestBrowserSessionEnd runs a room to its end in Chromium: the console
// opens its socket with the key; a learner who is queued sees one wait,
// not two; the console removes a learner from the keyboard (asked once
// more in place), whose page then says so and whom the roster drops; the
// console ends the session, and the learner's page, the console and the
// open board say it ended while the board's rows and the learner's runs
// stay readable. Screenshots of each, phone and desktop, light and dark,
// go to test-artifacts.
func TestBrowserSessionEnd(t *testing.T) {
	base, stop := startServer(t, t.TempDir())
	defer stop()
	s := createSession(t, base)
	api := base + "/api/sessions/" + s.Code
	if status, out := call(t, "POST", api+"/push", s.Key, `{"experiment": "race", "params": {"goroutines": 2, "increments": 1000, "repeat": 1}, "lock": true}`); status != 200 {
		t.Fatalf("push: got %d %v", status, out)
	}

	console := newBrowserFor(t, 1280, 900, 4*time.Minute)
	recordSockets(t, console)
	if err := chromedp.Do(console,
		chromedp.Navigate(base+"/sessions/"+s.Code+"/console#key="+s.Key),
		chromedp.WaitVisible(chromedp.CSS("#push-slot input[name=goroutines]")),
	); err != nil {
		t.Fatal(err)
	}
	sockets := poll(t, console, `window.__sockets.find((u) => u.includes('/sessions/')) || ''`, "the console's session socket")
	if !strings.Contains(sockets, "key="+s.Key) {
		t.Errorf("console's session socket: got %q, want it opened with ?key=", sockets)
	}

	// Two learners join on their phones.
	join := func(name string) context.Context {
		b := newBrowserFor(t, 390, 844, 4*time.Minute)
		if err := chromedp.Do(b,
			chromedp.EmulateViewport(390, 844), // a phone's width, below the window's least
			chromedp.Navigate(base+"/sessions/"+s.Code),
			chromedp.SendKeys(chromedp.CSS("#join-name"), name),
			chromedp.Click(chromedp.CSS("#join-btn")),
			chromedp.WaitVisible(chromedp.CSS("#follow")),
		); err != nil {
			t.Fatal(err)
		}
		return b
	}
	ada, grace := join("Ada"), join("Grace")
	poll(t, console, `document.querySelectorAll('#roster li[data-learner]').length === 2`, "both learners on the console's roster")

	// A room run times the experiment; a long run ahead makes Ada's wait.
	status, room := call(t, "POST", api+"/run", s.Key, "")
	if status != 201 {
		t.Fatalf("room run: got %d %v", status, room)
	}
	readRun(t, base, room["events"].(string))
	status, long := call(t, "POST", base+"/api/runs", "", `{"experiment": "race", "params": {"goroutines": 48, "increments": 10000000, "repeat": 5, "variants": "sequential"}}`)
	if status != 201 {
		t.Fatalf("a long run: got %d %v", status, long)
	}
	if err := chromedp.Do(ada, chromedp.Click(chromedp.CSS("#run-btn"))); err != nil {
		t.Fatal(err)
	}
	estimate := `/done in about \d+ (s|min)|due any moment/g`
	poll(t, ada, `/^Queued: \d+(st|nd|rd|th) in line, (done in about \d+ (s|min)|due any moment)/.test(document.querySelector('#run-status-text').textContent)`, "Ada's wait in her run panel")
	waits, err := chromedp.Run(ada, chromedp.Evaluate[[]string](`document.body.innerText.match(`+estimate+`) || []`))
	if err != nil || len(waits) != 1 {
		t.Errorf("queued learner's screen: got wait estimates %q (%v), want exactly one", waits, err)
	}
	if form, _ := chromedp.Run(ada, chromedp.Text(chromedp.CSS("#form-status"))); !regexp.MustCompile(`^Queued: \d+(st|nd|rd|th) in line`).MatchString(form) {
		t.Errorf("Ada's form status: got %q, want her place in line", form)
	}
	screenshot(t, ada, "end-learner-queued-phone.png")
	call(t, "POST", base+"/api/runs/"+long["id"].(string)+"/cancel", "", "")
	poll(t, ada, `document.querySelector('#run').dataset.status === 'done'`, "Ada's run done")

	// Remove Grace from the keyboard: Remove, then the question's Remove.
	if err := chromedp.Do(console,
		chromedp.Focus(chromedp.CSS(`#roster button[aria-label="Remove Grace"]`)),
		chromedp.KeyEvent(kb.Enter),
	); err != nil {
		t.Fatal(err)
	}
	poll(t, console, `document.activeElement.textContent === 'Remove' && document.activeElement.closest('.sess-confirm-inline') !== null`, "the question beside Grace, focused")
	inBothSchemes(t, console, "end-console-remove-asked-desktop")
	if err := chromedp.Do(console, chromedp.Focus(chromedp.CSS(`#roster .sess-confirm-inline .danger`)), chromedp.KeyEvent(kb.Enter)); err != nil {
		t.Fatal(err)
	}
	poll(t, grace, `!document.querySelector('#removed').hidden && document.querySelector('#follow').hidden`, "Grace's page saying she was removed")
	poll(t, console, `[...document.querySelectorAll('#roster li')].map((li) => li.textContent).join() === 'AdaRemove'`, "the roster without Grace")
	if kept, _ := chromedp.Run(grace, chromedp.Evaluate[string](`localStorage.getItem('concurrencylab.session.`+s.Code+`') || ''`)); kept != "" {
		t.Errorf("Grace's page still keeps who she was: %q", kept)
	}
	inBothSchemes(t, grace, "end-learner-removed-phone")

	// The board is open when the session ends.
	board := newBrowserFor(t, 1280, 900, 4*time.Minute)
	if err := chromedp.Do(board, chromedp.Navigate(base+"/sessions/"+s.Code+"/board"), chromedp.WaitVisible(chromedp.CSS("#board-table"))); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(console, chromedp.Click(chromedp.CSS("#end-btn"))); err != nil {
		t.Fatal(err)
	}
	poll(t, console, `!document.querySelector('#end-confirm').hidden && document.activeElement.id === 'end-yes'`, "the question before ending, focused")
	if err := chromedp.Do(console, chromedp.Click(chromedp.CSS("#end-yes"))); err != nil {
		t.Fatal(err)
	}
	over := poll(t, ada, `!document.querySelector('#ended').hidden && document.querySelector('#follow').hidden && document.querySelector('#ended').innerText`, "Ada's page saying the session ended")
	if !strings.Contains(over, "The session has ended") || !strings.Contains(over, "See the class board") {
		t.Errorf("Ada's ended screen: got %q, want it to say so with the board's link", over)
	}
	poll(t, ada, `[...document.querySelectorAll('#ended-run-list a')].some((a) => /^\/runs\/[a-z0-9]+$/.test(a.getAttribute('href')))`, "Ada's run listed on her ended screen")
	poll(t, console, `!document.querySelector('#session-ended').hidden && document.querySelector('#end-box').hidden && document.querySelector('#push-btn').disabled && document.querySelectorAll('#roster button').length === 0`, "the console at rest once the session ended")
	poll(t, board, `!document.querySelector('#session-ended').hidden && /This session has ended at/.test(document.querySelector('#session-ended').textContent)`, "the open board saying the session ended")
	if rows, _ := chromedp.Run(board, chromedp.Evaluate[int](`document.querySelectorAll('#board-table tbody tr').length`)); rows != 1 {
		t.Errorf("board after the end: got %d rows, want Ada's run still there", rows)
	}
	// A board opened afterwards says it too, from the page itself.
	if err := chromedp.Do(board, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#session-ended"))); err != nil {
		t.Fatal(err)
	}
	inBothSchemes(t, console, "end-console-ended-desktop")
	inBothSchemes(t, ada, "end-learner-ended-phone")
	screenshots(t, board, "end-board-ended")
}

// inBothSchemes saves the page as it is, light (name.png) and dark
// (name-dark.png).
func inBothSchemes(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	colourScheme(t, ctx, "dark")
	screenshot(t, ctx, name+"-dark.png")
	colourScheme(t, ctx, "light")
	screenshot(t, ctx, name+".png")
}

// recordSockets makes the page keep every websocket URL it opens in
// window.__sockets.
func recordSockets(t *testing.T, ctx context.Context) {
	t.Helper()
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: `
			window.__sockets = [];
			const Native = window.WebSocket;
			window.WebSocket = class extends Native {
				constructor(url, ...rest) { super(url, ...rest); window.__sockets.push(String(url)); }
			};`})
		return err
	}))
	if err != nil {
		t.Fatal(err)
	}
}
