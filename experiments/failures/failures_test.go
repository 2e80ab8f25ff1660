package failures

import (
	"context"
	"errors"
	"os"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"concurrencylab/lab"
)

func trial(t *testing.T, variant, q string) lab.Trial {
	t.Helper()
	tr, err := Experiment{}.Trial(context.Background(), variant, params(t, q), lab.Discard)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func figure(t *testing.T, tr lab.Trial, key string) int64 {
	t.Helper()
	x, ok := lab.Number(tr.Extra[key])
	if !ok {
		t.Fatalf("extra %s is %#v, want a number", key, tr.Extra[key])
	}
	return int64(x)
}

func TestBareLosesErrors(t *testing.T) {
	tr := trial(t, "bare", "tasks=12&fail=3,8&work=5ms")
	if *tr.Expected != 2 || *tr.Got != 0 {
		t.Errorf("got %d errors seen of %d returned, want 0 of 2", *tr.Got, *tr.Expected)
	}
	if c := (lab.TrialResult{Expected: tr.Expected, Got: tr.Got}).Correct(); c == nil || *c {
		t.Errorf("got correct %v, want false", c)
	}
	if done, skipped := figure(t, tr, "tasks_done"), figure(t, tr, "tasks_skipped"); done != 10 || skipped != 0 {
		t.Errorf("got %d tasks done, %d skipped, want 10 and 0: every task runs", done, skipped)
	}
	if s := tr.Extra["error_seen"]; s != "" {
		t.Errorf("got error_seen %q, want none", s)
	}
}

func TestCollectSeesEveryError(t *testing.T) {
	tr := trial(t, "collect", "tasks=12&fail=3,8,12&work=5ms")
	if *tr.Expected != 3 || *tr.Got != 3 {
		t.Errorf("got %d errors seen of %d returned, want 3 of 3", *tr.Got, *tr.Expected)
	}
	if done, skipped := figure(t, tr, "tasks_done"), figure(t, tr, "tasks_skipped"); done != 9 || skipped != 0 {
		t.Errorf("got %d tasks done, %d skipped, want 9 and 0: every task runs", done, skipped)
	}
	seen, _ := tr.Extra["error_seen"].(string)
	for _, want := range []string{"task 3 failed", "task 8 failed", "task 12 failed"} {
		if !strings.Contains(seen, want) {
			t.Errorf("error_seen %q lacks %q", seen, want)
		}
	}
	// errors.Join keeps every error for errors.As to find.
	j := newJob(params(t, "tasks=4&fail=2,4&work=1ms"), false)
	err := runCollect(context.Background(), j)
	var te *taskError
	if !errors.As(err, &te) || errorsIn(err) != 2 {
		t.Errorf("got %v (%d errors), want two joined task errors", err, errorsIn(err))
	}
}

// errgroup returns the first error and its context cancels the rest: the
// tasks running stop halfway, those not begun are skipped.
func TestErrgroupSkipsTasks(t *testing.T) {
	// 4 workers: tasks 1-4 run first, task 3 fails halfway (250 ms) and
	// cancels 1, 2 and 4 mid-work; 5-12 never begin, task 8's failure
	// among them.
	tr := trial(t, "errgroup", "tasks=12&fail=3,8&workers=4&work=500ms")
	if *tr.Expected != 1 || *tr.Got != 1 {
		t.Errorf("got %d errors seen of %d returned, want 1 of 1", *tr.Got, *tr.Expected)
	}
	if done, skipped := figure(t, tr, "tasks_done"), figure(t, tr, "tasks_skipped"); done != 0 || skipped != 11 {
		t.Errorf("got %d tasks done, %d skipped, want 0 and 11", done, skipped)
	}
	if s := tr.Extra["error_seen"]; s != "task 3 failed" {
		t.Errorf("got error_seen %q, want task 3 failed", s)
	}
	ff, _ := lab.Number(tr.Extra["first_failure_ms"])
	if ff < 250 || time.Duration(ff*float64(time.Millisecond)) > tr.Elapsed {
		t.Errorf("got first failure at %v ms of %v, want 250 ms or later, before the answer", ff, tr.Elapsed)
	}
	// Three rounds of 500 ms would be 1.5 s: the answer came at the first failure.
	if tr.Elapsed >= 1500*time.Millisecond {
		t.Errorf("got the answer after %v, want it well before every task could have run", tr.Elapsed)
	}

	// One worker: every task after the failing first one is skipped.
	tr = trial(t, "errgroup", "tasks=20&fail=1&workers=1&work=2ms")
	if skipped := figure(t, tr, "tasks_skipped"); skipped != 19 || *tr.Got != 1 {
		t.Errorf("got %d skipped, %d errors seen, want 19 and 1", skipped, *tr.Got)
	}
}

// Two tasks that fail in the same round both return errors, and errgroup
// keeps only the first.
func TestErrgroupKeepsTheFirstErrorOnly(t *testing.T) {
	tr := trial(t, "errgroup", "tasks=4&fail=1,2,3,4&workers=4&work=100ms")
	if *tr.Got != 1 || *tr.Expected < 1 {
		t.Errorf("got %d errors seen of %d returned, want 1 seen", *tr.Got, *tr.Expected)
	}
}

func TestRecoverDeliversThePanic(t *testing.T) {
	tr := trial(t, "recover", "tasks=12&fail=3,8&workers=4&work=100ms")
	if *tr.Expected != 1 || *tr.Got != 1 {
		t.Errorf("got %d errors seen of %d panics, want 1 of 1", *tr.Got, *tr.Expected)
	}
	if s := tr.Extra["error_seen"]; s != "panic: task 3 failed" {
		t.Errorf("got error_seen %q, want panic: task 3 failed", s)
	}
	// The error keeps the panic's value and stack.
	j := newJob(params(t, "tasks=2&fail=2&work=1ms"), true)
	err := runRecover(context.Background(), j)
	var pe *PanicError
	var te *taskError
	if !errors.As(err, &pe) || !errors.As(err, &te) || te.task != 2 {
		t.Fatalf("got %#v, want a PanicError around task 2's error", err)
	}
	if !strings.Contains(string(pe.Stack), "failures.(*job).task") {
		t.Errorf("the PanicError's stack lacks the task that panicked:\n%s", pe.Stack)
	}
}

// Under a runner that runs trials in its own process, the panic variant
// cannot run: it would end that process.
func TestPanicNeedsAProcessOfItsOwn(t *testing.T) {
	_, err := Experiment{}.Trial(context.Background(), "panic", params(t, ""), lab.Discard)
	if err == nil || !strings.Contains(err.Error(), "process of its own") {
		t.Errorf("got error %v, want one saying it needs a process of its own", err)
	}
}

func TestNoFailures(t *testing.T) {
	for _, v := range []string{"bare", "collect", "errgroup", "recover"} {
		tr := trial(t, v, "tasks=6&fail=&work=1ms")
		if *tr.Expected != 0 || *tr.Got != 0 || figure(t, tr, "tasks_done") != 6 {
			t.Errorf("%s: got %d of %d, %v done, want 0 of 0 and all 6 done", v, *tr.Got, *tr.Expected, tr.Extra["tasks_done"])
		}
		if _, ok := tr.Extra["first_failure_ms"]; ok {
			t.Errorf("%s: got first_failure_ms with no failure", v)
		}
	}
}

// Every task has a lane on the timeline; the spans say how it ended.
func TestTimeline(t *testing.T) {
	rec := &recorder{}
	if _, err := (Experiment{}).Trial(context.Background(), "errgroup", params(t, "tasks=8&fail=2&workers=4&work=100ms"), rec); err != nil {
		t.Fatal(err)
	}
	labels := map[int]string{}
	for _, s := range rec.spans {
		labels[s.lane] = s.label
		if s.end.Before(s.start) {
			t.Errorf("lane %d: span ends before it starts", s.lane)
		}
	}
	want := map[int]string{0: "cancelled", 1: "failed", 2: "cancelled", 3: "cancelled"}
	if !reflect.DeepEqual(labels, want) {
		t.Errorf("got lanes %v, want %v (tasks 5-8 never began: no span)", labels, want)
	}
	if rec.done != 8 || rec.total != 8 {
		t.Errorf("got progress %d of %d, want 8 of 8", rec.done, rec.total)
	}
}

// A cancel stops every variant promptly and leaves no goroutine behind.
func TestCancelStopsPromptly(t *testing.T) {
	for _, v := range []string{"bare", "collect", "errgroup", "recover"} {
		t.Run(v, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			rec := &recorder{}
			time.AfterFunc(50*time.Millisecond, cancel)
			done := make(chan error, 1)
			began := time.Now()
			go func() {
				_, err := Experiment{}.Trial(ctx, v, params(t, "tasks=100&fail=&workers=100&work=1s"), rec)
				done <- err
			}()
			select {
			case err := <-done:
				if !errors.Is(err, context.Canceled) {
					t.Errorf("got error %v, want %v", err, context.Canceled)
				}
				if d := time.Since(began); d > 900*time.Millisecond {
					t.Errorf("returned %v after starting, want soon after the cancel at 50 ms, before the tasks' 1 s", d)
				}
			case <-time.After(waitTimeout):
				t.Fatalf("trial still running %s after it was cancelled", waitTimeout)
			}
			goleak.VerifyNone(t)
		})
	}
}

func TestParams(t *testing.T) {
	info := Experiment{}.Info()
	tests := []struct {
		name    string
		raw     map[string]string
		wantErr string
	}{
		{"defaults", nil, ""},
		{"none fail", map[string]string{"fail": ""}, ""},
		{"spaces", map[string]string{"fail": " 1, 12 "}, ""},
		{"task zero", map[string]string{"fail": "0"}, `fail must list task numbers 1..12, got "0"`},
		{"past the tasks", map[string]string{"fail": "3,13"}, `fail must list task numbers 1..12, got "13"`},
		{"not a number", map[string]string{"fail": "3;8"}, `fail must list task numbers 1..12, got "3;8"`},
		{"twice", map[string]string{"fail": "3,3"}, "fail lists task 3 twice"},
		{"too long", map[string]string{"tasks": "1000", "workers": "1", "work": "10ms"}, "⌈tasks / workers⌉ × work must be at most 5s, got 10s"},
		{"tasks over", map[string]string{"tasks": "1001"}, "tasks must be 1..1,000, got 1,001"},
		{"workers zero", map[string]string{"workers": "0"}, "workers must be 1..256, got 0"},
		{"work over", map[string]string{"work": "2s"}, "work must be 1ms..1s, got 2s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := lab.ParseMap(info, tt.raw)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Errorf("got error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.raw == nil {
				fails, _ := failing(p)
				if !reflect.DeepEqual(fails, map[int]bool{3: true, 8: true}) || p.Int("tasks") != 12 || p.Int("workers") != 4 || p.Repeat() != 6 {
					t.Errorf("got defaults %v, want 12 tasks, 3 and 8 failing, 4 workers, 6 trials", p)
				}
				if got, want := p.Variants(), []string{"bare", "collect", "errgroup", "panic", "recover"}; !slices.Equal(got, want) {
					t.Errorf("got variants %v, want %v", got, want)
				}
			}
		})
	}
}

// The page shows failures.go and tasks.go: they must be the files that are
// compiled, and every variant must run a function failures.go shows,
// named for the variant.
func TestSourceIsTheCodeThatRuns(t *testing.T) {
	src := Experiment{}.Info().Source
	if len(src) != 2 || src[0].Name != "failures.go" || src[1].Name != "tasks.go" {
		t.Fatalf("got source files %v, want failures.go and tasks.go", src)
	}
	for _, f := range src {
		disk, err := os.ReadFile(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		if string(disk) != f.Code {
			t.Errorf("embedded %s differs from the file compiled", f.Name)
		}
	}
	for _, v := range variants {
		full := runtime.FuncForPC(reflect.ValueOf(v.run).Pointer()).Name()
		name := full[strings.LastIndex(full, ".")+1:]
		if !strings.Contains(src[0].Code, "\nfunc "+name+"(ctx context.Context, j *job) error {") {
			t.Errorf("variant %s runs %s, which failures.go does not show", v.Name, full)
		}
		if !strings.EqualFold(strings.TrimPrefix(name, "run"), v.Name) {
			t.Errorf("variant %s runs %s: want the function named for the variant", v.Name, name)
		}
	}
	for _, want := range []string{"errors.Join(errs...)", "errgroup.WithContext(ctx)", "recover()", "j.task(ctx, n) // the error is dropped here"} {
		if !strings.Contains(src[0].Code, want) {
			t.Errorf("failures.go lacks %q", want)
		}
	}
}

func TestInfo(t *testing.T) {
	info := Experiment{}.Info()
	if info.ID != "failures" {
		t.Errorf("got id %q", info.ID)
	}
	for _, want := range []string{"threading.excepthook", "future.result()", "errors.Join", "status 2", "recover()", "errgroup does not"} {
		if !strings.Contains(info.Lesson, want) {
			t.Errorf("lesson lacks %q", want)
		}
	}
	keys := map[string]bool{}
	for _, f := range info.Figures {
		keys[f.Key] = true
	}
	for _, k := range []string{"tasks_done", "tasks_skipped", "first_failure_ms", "exit_status"} {
		if !keys[k] {
			t.Errorf("figure %s not declared", k)
		}
	}
}

func TestSoloRefusesAnUnknownTask(t *testing.T) {
	var out strings.Builder
	if err := (Experiment{}).Solo(context.Background(), "deadlock", params(t, ""), &out); err == nil {
		t.Error("got no error for an unknown task")
	}
}
