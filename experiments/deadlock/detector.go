package deadlock

// Go's own deadlock detector, shown once per run beside the naive
// variant: two opposite transfers alone in a process, then beside one
// live goroutine.

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"time"

	"concurrencylab/lab"
)

// goDetector runs two opposite transfers alone in a process, where Go's
// runtime finds every goroutine asleep and ends the program, and again
// beside one live goroutine, where it finds nothing and the process hangs
// until it is killed. It adds what happened to extra.
func goDetector(ctx context.Context, info lab.Info, p lab.Params, em lab.Emitter, extra map[string]any) error {
	for _, task := range []struct {
		name string
		wait time.Duration
	}{{"asleep", asleepWait}, {"alive", aliveWait}} {
		sctx, cancel := context.WithTimeout(ctx, task.wait)
		var exit lab.SoloExit
		var err error
		if program, ok := findAsleep(); ok {
			// A plain Go program: this one links C code (cgo), whose
			// runtime never reports the deadlock.
			exit, err = runAsleep(sctx, program, task.name == "alive")
		} else {
			exit, err = lab.Spawn(sctx, lab.SoloTask{Experiment: info.ID, Task: task.name, Params: p.Encode(info)})
		}
		cancel()
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		said := fatalLine(exit.Output)
		switch {
		case exit.TimedOut:
			said = fmt.Sprintf("nothing: still hung after %s, killed", task.wait)
		case said != "":
			said = fmt.Sprintf("%s (exit status %d)", said, exit.Status)
		default:
			said = fmt.Sprintf("no fatal error (exit status %d)", exit.Status)
		}
		extra["go_"+task.name] = said
		if task.name == "asleep" && exit.TimedOut {
			extra["go_asleep_why"] = whyNoFatalError()
		}
		em.Log(fmt.Sprintf("naive: two opposite transfers %s: exit status %d, %s", map[string]string{
			"asleep": "alone in a process", "alive": "beside one live goroutine"}[task.name], exit.Status, firstLines(exit.Output, 8)))
	}
	return nil
}

// whyNoFatalError says why a process of its own with nothing but two
// deadlocked goroutines got no fatal error from Go's runtime.
func whyNoFatalError() string {
	switch {
	case lab.RaceEnabled:
		return "this program is built with -race, and the race detector's runtime never reports a deadlock"
	case runtime.NumCgoCall() > 0:
		return "this program links OpenCV's C code through cgo, and a cgo program's runtime keeps a thread for calls from C that it counts as running, so it never finds every goroutine asleep (make build builds the asleep program, plain Go, which shows Go's own report)"
	}
	return "the runtime found a goroutine it could not call asleep"
}

// fatalLine returns the line of Go's fatal error in output, or "".
func fatalLine(output string) string {
	for line := range strings.Lines(output) {
		if strings.HasPrefix(line, "fatal error:") {
			return strings.TrimSpace(line)
		}
	}
	return ""
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(strings.TrimSpace(s), "\n", n+1)
	if len(lines) > n {
		lines = append(lines[:n], "…")
	}
	return strings.Join(lines, "\n")
}
