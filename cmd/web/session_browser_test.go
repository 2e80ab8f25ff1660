//go:build !race

package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestBrowserSession runs a workshop in two Chromium pages: the instructor's
// console and a learner's page. The learner joins, the page follows a
// locked push (the form read-only, with the pushed values), plays the room
// run to its verdict, and the learner's own run lands on the class board.
// Screenshots of the console, the join screen, the learner's page and the
// board, light and dark, go to test-artifacts.
func TestBrowserSession(t *testing.T) {
	base, stop := startServer(t, t.TempDir())
	defer stop()
	c := createSession(t, base)
	console := newBrowser(t, 1280, 900)

	// The instructor opens the console; the key leaves the address bar.
	if err := chromedp.Do(console,
		chromedp.Navigate(c.InstructorURL),
		chromedp.WaitVisible(chromedp.CSS("#push-slot input[name=goroutines]")),
	); err != nil {
		t.Fatal(err)
	}
	if u, _ := chromedp.Run(console, chromedp.Evaluate[string](`location.href`)); strings.Contains(u, c.Key) {
		t.Errorf("console URL %q still shows the key", u)
	}
	// A second page in the same browser, once the browser is running.
	learner, closeTab := chromedp.NewContext(console)
	defer closeTab()

	// The learner joins by name, under the big code and the QR code.
	if err := chromedp.Do(learner,
		chromedp.Navigate(c.JoinURL),
		chromedp.WaitVisible(chromedp.CSS(".sess-qr img")),
	); err != nil {
		t.Fatal(err)
	}
	screenshot(t, learner, "session-join.png")
	if err := chromedp.Do(learner,
		chromedp.SendKeys(chromedp.CSS("#join-name"), "Ada <b>L</b>"),
		chromedp.Click(chromedp.CSS("#join-btn")),
		chromedp.WaitVisible(chromedp.CSS("#follow")),
	); err != nil {
		t.Fatal(err)
	}
	if me, _ := chromedp.Run(learner, chromedp.Text(chromedp.CSS("#me"))); me != "Ada <b>L</b>" {
		t.Errorf("learner's name: got %q, want it shown as typed", me)
	}
	poll(t, console, `document.querySelector('#roster .sess-chip.on')?.textContent === 'Ada <b>L</b>'`, "the learner on the console's roster")

	// Push race, locked, with 4 goroutines and 3 trials.
	if err := chromedp.Do(console,
		chromedp.SetValue(chromedp.CSS("#push-slot input[name=goroutines]"), "4"),
		chromedp.SetValue(chromedp.CSS("#push-slot input[name=increments]"), "200000"),
		chromedp.SetValue(chromedp.CSS("#push-slot input[name=repeat]"), "3"),
		chromedp.Click(chromedp.CSS("#push-btn")),
	); err != nil {
		t.Fatal(err)
	}
	poll(t, learner, `document.querySelector('#stage h1')?.textContent === 'A data race on a counter'`, "the pushed experiment on the learner's page")
	form, err := chromedp.Run(learner, chromedp.Evaluate[[]string](`[
		document.querySelector('#stage input[name=goroutines]').value,
		document.querySelector('#stage input[name=repeat]').value,
		String(document.querySelector('#stage fieldset.sess-fieldset').disabled)]`))
	if err != nil || strings.Join(form, ",") != "4,3,true" {
		t.Errorf("learner's form: got %v %v, want goroutines 4, repeat 3, locked", form, err)
	}

	// Predict, then run: the learner guesses the final count on the page.
	if err := chromedp.Do(console, chromedp.Click(chromedp.CSS("#predict-btn"))); err != nil {
		t.Fatal(err)
	}
	poll(t, learner, `!document.querySelector('#sess-predict').hidden`, "the prediction on the learner's page")
	if err := chromedp.Do(learner,
		chromedp.SendKeys(chromedp.CSS("#guess-input"), "800000"),
		chromedp.Click(chromedp.CSS("#guess-btn")),
	); err != nil {
		t.Fatal(err)
	}
	poll(t, console, `/1 of 1 have guessed/.test(document.querySelector('#predict-status').textContent)`, "the guess counted on the console")

	// A room run plays on the learner's page to its verdict.
	if err := chromedp.Do(console, chromedp.Click(chromedp.CSS("#room-run-btn"))); err != nil {
		t.Fatal(err)
	}
	verdict := poll(t, learner, `(() => { const v = document.querySelector('#run-verdict'); return v && !v.hidden ? v.textContent : ''; })()`, "the room run's verdict on the learner's page")
	_, view := call(t, "GET", base+"/api/sessions/"+c.Code, "", "")
	roomID := view["run"].(map[string]any)["id"].(string)
	_, run := call(t, "GET", base+"/api/runs/"+roomID, "", "")
	if want := run["result"].(map[string]any)["verdict"]; verdict != want {
		t.Errorf("learner's verdict: got %q, want the room run's %q", verdict, want)
	}
	if label, _ := chromedp.Run(learner, chromedp.Text(chromedp.CSS("#watch-label"))); !strings.Contains(label, "room run") {
		t.Errorf("watch label: got %q, want it to name the room run", label)
	}
	screenshot(t, learner, "session-learner.png")

	// Everyone is asked to run; the learner's own run, and five more
	// learners' (through the API), fill the board.
	if err := chromedp.Do(console, chromedp.Click(chromedp.CSS("#ask-btn"))); err != nil {
		t.Fatal(err)
	}
	poll(t, learner, `!document.querySelector('#sess-ask').hidden`, "the ask on the learner's page")
	if err := chromedp.Do(learner, chromedp.Click(chromedp.CSS("#run-btn"))); err != nil {
		t.Fatal(err)
	}
	api := base + "/api/sessions/" + c.Code
	for i, name := range []string{"Grace", "Linus", "Barbara", "Ken", "Edsger"} {
		_, j := call(t, "POST", api+"/join", "", `{"name": "`+name+`"}`)
		who := `"learner": "` + j["learner"].(map[string]any)["id"].(string) + `", "token": "` + j["token"].(string) + `"`
		call(t, "POST", api+"/guess", "", `{`+who+`, "value": `+[]string{"800000", "790000", "650000", "800000", "500000"}[i]+`}`)
		if status, out := call(t, "POST", api+"/runs", "", `{`+who+`}`); status != 201 {
			t.Fatalf("%s's run: got %d %v", name, status, out)
		}
	}
	poll(t, console, `[...document.querySelectorAll('#board-table tbody tr')].filter(r => r.textContent.includes('done')).length === 6`, "six runs done on the console's board")
	if err := chromedp.Do(console, chromedp.Click(chromedp.CSS("#reveal-btn"))); err != nil {
		t.Fatal(err)
	}
	poll(t, learner, `!document.querySelector('#sess-reveal').hidden`, "the revealed guesses on the learner's page")
	screenshot(t, console, "session-console.png")
	darkMode(t, console)
	screenshot(t, console, "session-console-dark.png")

	if err := chromedp.Do(console,
		chromedp.Navigate(base+"/sessions/"+c.Code+"/board"),
		chromedp.WaitVisible(chromedp.CSS("#board-chart svg")),
		chromedp.WaitVisible(chromedp.CSS("#predict-chart svg")),
	); err != nil {
		t.Fatal(err)
	}
	screenshot(t, console, "session-board-dark.png")
	bars, _ := chromedp.Run(console, chromedp.Evaluate[int](`document.querySelectorAll('#board-chart rect.bar').length`))
	if bars != 6 {
		t.Errorf("board chart: got %d bars, want one per learner's run, 6", bars)
	}
	lightMode(t, console)
	screenshot(t, console, "session-board.png")
}

// poll waits for a JS expression to be truthy and returns its value as text.
func poll(t *testing.T, ctx context.Context, expr, what string) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Poll[any](expr, chromedp.WithPollingTimeout(60*time.Second)))
	if err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
	s, _ := v.(string)
	return s
}

// darkMode makes the page's prefers-color-scheme dark; lightMode light.
func darkMode(t *testing.T, ctx context.Context)  { colourScheme(t, ctx, "dark") }
func lightMode(t *testing.T, ctx context.Context) { colourScheme(t, ctx, "light") }

func colourScheme(t *testing.T, ctx context.Context, scheme string) {
	t.Helper()
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
		})
		return err
	}))
	if err != nil {
		t.Fatal(err)
	}
}
