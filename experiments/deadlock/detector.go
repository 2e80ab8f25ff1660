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
	// transcript is both processes as a terminal shows them, for the
	// page's output panel (go_report); fatal counts Go's reports.
	var transcript strings.Builder
	fatal := map[string]bool{}
	for _, task := range []struct {
		name string
		wait time.Duration
	}{{"asleep", asleepWait}, {"alive", aliveWait}} {
		sctx, cancel := context.WithTimeout(ctx, task.wait)
		var exit lab.SoloExit
		var err error
		command := "asleep"
		if task.name == "alive" {
			command += " -alive"
		}
		if program, ok := findAsleep(); ok {
			// A plain Go program: this one links C code (cgo), whose
			// runtime never reports the deadlock.
			exit, err = runAsleep(sctx, program, task.name == "alive")
		} else {
			command = "the lab's own program, task " + task.name
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
		fatal[task.name] = fatalLine(exit.Output) != ""
		writeRun(&transcript, command, exit, task.wait)
		em.Log(fmt.Sprintf("naive: two opposite transfers %s: exit status %d, %s", map[string]string{
			"asleep": "alone in a process", "alive": "beside one live goroutine"}[task.name], exit.Status, firstLines(exit.Output, 8)))
	}
	extra["go_report"] = strings.TrimRight(transcript.String(), "\n")
	extra["go_found"] = detectorFound(fatal["asleep"], fatal["alive"])
	reports := 0
	for _, f := range fatal {
		if f {
			reports++
		}
	}
	extra["go_reports"] = reports
	return nil
}

// maxReportLines bounds the lines of one process's output in go_report:
// the fatal error and the two transfers' goroutines take about twenty.
const maxReportLines = 40

// writeRun adds one process of the detector to the transcript: its
// command, what it printed and how it ended.
func writeRun(b *strings.Builder, command string, exit lab.SoloExit, wait time.Duration) {
	fmt.Fprintf(b, "$ %s\n", command)
	if out := strings.TrimSpace(exit.Output); out != "" {
		b.WriteString(firstLines(out, maxReportLines) + "\n")
	}
	if exit.TimedOut {
		fmt.Fprintf(b, "(printed nothing: still hung after %s, killed)\n\n", wait)
		return
	}
	fmt.Fprintf(b, "exit status %d\n\n", exit.Status)
}

// detectorFound says in a line when Go's runtime reported the deadlock.
func detectorFound(asleep, alive bool) string {
	switch {
	case asleep && !alive:
		return "reported alone in a process; silent beside a live goroutine"
	case asleep && alive:
		return "reported alone and beside a live goroutine"
	case alive:
		return "reported only beside a live goroutine"
	}
	return "no report from Go's runtime"
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
