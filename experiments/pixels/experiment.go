// Package pixels is the blue-pixels experiment: count the blue pixels of
// every frame of a video with OpenCV (gocv), sequentially, with a goroutine
// per frame, with worker pools and with several decoders, against the speed
// of decoding alone. It is the only package of the lab that uses gocv.
package pixels

import (
	"context"
	_ "embed"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"concurrencylab/experiments/pixels/clips"
	"concurrencylab/lab"
)

//go:embed count.go
var countSource string

//go:embed segments.go
var segmentsSource string

// The variants, in the order a run executes them.
const (
	DecodeOnly        = "decode-only"
	Sequential        = "sequential"
	GoroutinePerFrame = "goroutine-per-frame"
	WorkerPool        = "worker-pool"
	Errgroup          = "errgroup"
	ParallelDecode    = "parallel-decode"
)

const (
	defaultClip  = "vtest.avi"
	maxWorkers   = 32
	maxLatencyMs = 10
)

// sweepWorkers are the pool sizes a sweep runs.
var sweepWorkers = []int{1, 2, 4, 8, 16}

// Experiment counts blue pixels in the clips of a library. Make one with
// New; it is safe for concurrent use.
type Experiment struct {
	// Cores is the CPUs a run has to itself, the workers' default; zero
	// means runtime.NumCPU().
	Cores int

	clips *clips.Library

	mu      sync.Mutex               // guards truths and decodes
	truths  map[string][]int         // per clip version: blue pixels per frame
	decodes map[string]time.Duration // per clip version: the latest decode-only time
}

var (
	_ lab.Experiment = (*Experiment)(nil)
	_ lab.Planner    = (*Experiment)(nil)
)

// New returns the experiment for the clips of lib.
func New(lib *clips.Library) *Experiment {
	return &Experiment{clips: lib, truths: make(map[string][]int), decodes: make(map[string]time.Duration)}
}

// Info implements lab.Experiment. The clip parameter's choices are the
// library's clips at the time of the call.
func (e *Experiment) Info() lab.Info {
	names, _ := e.clips.Names()
	def := defaultClip
	if !slices.Contains(names, def) && len(names) > 0 {
		def = names[0]
	}
	return lab.Info{
		ID:      "pixels",
		Cgo:     true, // OpenCV: runs in a child of the cgo program
		Title:   "Blue pixels in video frames",
		Summary: "Count the blue pixels of every frame with OpenCV: a goroutine per frame, worker pools, several decoders, against the speed of decoding alone.",
		Lesson:  lesson,
		Figures: []lab.Figure{
			{Key: "vs_decode", Label: "× decode-only time", Main: true, Help: "the trial's time over decode-only's in the same round: below 1 beats one decoder"},
			{Key: "fps", Label: "Frames", Unit: "/ s"},
			{Key: "limit_ms", Label: "Machine limit (CPU ÷ cores)", Unit: "ms", Help: "all the trial's CPU work spread evenly over the run's cores: no schedule beats it"},
			{Key: "peak_frames_held", Label: "Peak frames held"},
			{Key: "peak_held_mb", Label: "Peak memory of held frames", Unit: "MiB"},
		},
		Charts: []lab.Chart{
			{Series: "blue_pixels", Title: "Blue pixels per frame"},
			{Series: "frames_held", Title: "Frames held"},
			{Series: "fps", Title: "Frames / s"},
		},
		Params: []lab.Param{
			{Name: "clip", Label: "Clip", Kind: lab.KindChoice, Default: def, Choices: names,
				Help: "the video whose frames are counted: pick one in the clip library, or upload a video of your own there"},
			{Name: "workers", Label: "Workers", Kind: lab.KindInt, Default: strconv.Itoa(min(lab.SlotCores(e.Cores), maxWorkers)), Min: 1, Max: maxWorkers,
				Help: "goroutines that count in worker-pool and errgroup; in parallel-decode too, whose segments (one decoder each) are planned for this many cores, or the run's if fewer"},
			{Name: "latency", Label: "I/O wait per frame", Kind: lab.KindDuration, Default: "0s", Min: 0, Max: maxLatencyMs,
				Help: "a simulated wait after counting each frame, like the notebook's sleep(0.001): it shows when more workers than cores pay off"},
			{Name: "sweep", Label: "Sweep the workers", Kind: lab.KindBool, Default: "false",
				Help: "instead of the chosen variants, run decode-only, sequential and worker-pool with " + joinInts(sweepWorkers, ", ") + " workers"},
		},
		Variants: []lab.Variant{
			{Name: DecodeOnly, Summary: "read every frame, count nothing: the decoder's limit"},
			{Name: Sequential, Summary: "the notebook's loop: read a frame, count it", Baseline: true},
			{Name: GoroutinePerFrame, Summary: "a goroutine for every frame, holding it until counted"},
			{Name: WorkerPool, Summary: "one reader, a bounded channel, a fixed number of counters"},
			{Name: Errgroup, Summary: "errgroup with SetLimit: Go's ThreadPoolExecutor"},
			{Name: ParallelDecode, Summary: "the clip split into segments, one decoder each"},
		},
		Source: []lab.SourceFile{
			{Name: "count.go", Code: countSource},
			{Name: "segments.go", Code: segmentsSource},
		},
		Repeat:    5,
		MaxRepeat: 20,
		Check:     e.check,
		Views:     []lab.View{clipsView},
		Files:     viewFiles,
	}
}

func (e *Experiment) check(p lab.Params) error {
	if name := p.String("clip"); !e.hasClip(name) {
		return &lab.ParamError{Name: "clip", Msg: fmt.Sprintf("must name a clip in the library, got %q", name)}
	}
	return nil
}

func (e *Experiment) hasClip(name string) bool {
	_, err := e.clips.Path(name)
	return err == nil
}

// Plan implements lab.Planner: a sweep runs decode-only, sequential and
// worker-pool at each size of sweepWorkers; otherwise the chosen variants.
func (e *Experiment) Plan(p lab.Params) []string {
	if !p.Bool("sweep") {
		return p.Variants()
	}
	plan := []string{DecodeOnly, Sequential}
	for _, w := range sweepWorkers {
		plan = append(plan, lab.SweepVariant(WorkerPool, w))
	}
	return plan
}

// Trial implements lab.Experiment. The right answer comes from counting
// the clip once with the sequential loop, outside the timing, cached.
func (e *Experiment) Trial(ctx context.Context, variant string, p lab.Params, em lab.Emitter) (lab.Trial, error) {
	base, workers, err := splitVariant(variant, p.Int("workers"))
	if err != nil {
		return lab.Trial{}, err
	}
	pr, err := e.clips.Probe(ctx, p.String("clip"))
	if err != nil {
		return lab.Trial{}, err
	}
	truth, err := e.truth(ctx, pr, em)
	if err != nil {
		return lab.Trial{}, err
	}
	frameBytes := int64(pr.Width) * int64(pr.Height) * 3
	perTrial := min(maxTrialSpans, spanBudget/max(1, len(e.Plan(p))*p.Repeat()))
	rec := newRecorder(em, len(truth), frameBytes, perTrial)
	tctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	rec.stop = stop
	latency := p.Duration("latency")
	extra := map[string]any{}

	cpu0, began := lab.CPUTime(), time.Now()
	switch base {
	case DecodeOnly:
		rec.decodeOnly = true
		err = decodeOnly(tctx, pr.Path, rec)
	case Sequential:
		err = countSequential(tctx, pr.Path, latency, rec)
	case GoroutinePerFrame:
		rec.laneGroups = true
		err = countGoroutinePerFrame(tctx, pr.Path, latency, rec)
	case WorkerPool:
		extra["workers"] = workers
		err = countWorkerPool(tctx, pr.Path, workers, latency, rec)
	case Errgroup:
		extra["workers"] = workers
		err = countErrgroup(tctx, pr.Path, workers, latency, rec)
	case ParallelDecode:
		// Plan for the cores there are: more goroutines only count.
		segs := planSegments(len(truth), pr.Keyframes, min(workers, runtime.NumCPU()))
		extra["workers"], extra["segments"] = max(workers, len(segs)), len(segs)
		err = countParallelDecode(tctx, pr.Path, segs, workers, latency, rec)
		extra["fallback"] = b2i(rec.fellBack.Load())
	}
	elapsed, cpu := time.Since(began), lab.CPUTime()-cpu0
	rec.finish()
	if ctx.Err() != nil {
		return lab.Trial{}, ctx.Err()
	}
	if cause := context.Cause(tctx); cause != nil {
		return lab.Trial{}, cause
	}
	if err != nil {
		return lab.Trial{}, fmt.Errorf("%s: %w", pr.Name, err)
	}

	frames := rec.done.Load()
	extra["frames"] = frames
	extra["fps"] = round1(float64(frames) / elapsed.Seconds())
	// The machine's limit: all the trial's CPU work (decoding, converting,
	// counting, on every thread, OpenCV's included) spread evenly over
	// the cores the run has. No schedule of the same work can beat it.
	limit := cpu / time.Duration(max(1, runtime.NumCPU()))
	extra["limit_ms"] = round1(float64(limit) / float64(time.Millisecond))
	em.Sample("fps:measured", float64(frames)/elapsed.Seconds())
	if limit > 0 {
		em.Sample("fps:machine limit", float64(frames)/limit.Seconds())
	}
	if base == DecodeOnly {
		e.noteDecode(pr, elapsed)
	} else {
		extra["peak_frames_held"] = rec.peakHeld.Load()
		extra["peak_held_mb"] = round1(float64(rec.peakHeld.Load()*frameBytes) / (1 << 20))
		extra["wrong_frames"] = wrongFrames(rec.counts, truth) + int(rec.extra.Load())
	}
	if ref := e.decodeTime(pr); ref > 0 && slices.Contains(e.Plan(p), DecodeOnly) {
		extra["vs_decode"] = round3(elapsed.Seconds() / ref.Seconds())
	}
	// Probing the clip and counting its truth, on a run's first trial, are
	// outside both the time and the CPU time.
	t := lab.Trial{Elapsed: elapsed, CPU: cpu, Extra: extra}
	if base != DecodeOnly {
		t.Expected, t.Got = lab.Int64(sum(truth)), lab.Int64(rec.blue())
	}
	return t, nil
}

// splitVariant parses a variant name; "worker-pool/4" is the worker pool
// with 4 workers, as a sweep plans it (errgroup and parallel-decode take a
// count the same way).
func splitVariant(variant string, workers int) (string, int, error) {
	base, w, sized := lab.ParseSweep(variant)
	switch base {
	case DecodeOnly, Sequential, GoroutinePerFrame:
		if !sized {
			return base, workers, nil
		}
	case WorkerPool, Errgroup, ParallelDecode:
		if !sized {
			return base, workers, nil
		}
		if w <= maxWorkers {
			return base, w, nil
		}
	}
	return "", 0, fmt.Errorf("pixels: unknown variant %q", variant)
}

// clipKey names a version of a clip: a clip replaced by another file of
// another size or length gets counted again.
func clipKey(pr clips.Probe) string {
	return fmt.Sprintf("%s\x00%d\x00%d", pr.Name, pr.Size, pr.Frames)
}

// truth returns the blue pixels of every frame of the clip, counting them
// with countSequential the first time.
func (e *Experiment) truth(ctx context.Context, pr clips.Probe, em lab.Emitter) ([]int, error) {
	key := clipKey(pr)
	e.mu.Lock()
	t, ok := e.truths[key]
	e.mu.Unlock()
	if ok {
		return t, nil
	}
	em.Log(fmt.Sprintf("Counting %s once with the sequential loop, outside the timing, to know the right answer.", pr.Name))
	rec := newRecorder(lab.Discard, pr.Frames, 0, 0)
	if err := countSequential(ctx, pr.Path, 0, rec); err != nil {
		return nil, err
	}
	if n := rec.done.Load(); n != int64(pr.Frames) {
		return nil, fmt.Errorf("%s decoded %d frames this time and %d the first time: OpenCV reads it differently each time, so there is no right answer to check against", pr.Name, n, pr.Frames)
	}
	e.mu.Lock()
	e.truths[key] = rec.counts
	e.mu.Unlock()
	return rec.counts, nil
}

// noteDecode remembers the clip's latest decode-only time.
func (e *Experiment) noteDecode(pr clips.Probe, d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.decodes[clipKey(pr)] = d
}

// decodeTime is the clip's latest decode-only time, the yardstick of
// vs_decode (given only in runs that include decode-only); 0 if
// decode-only has not run on it yet. Trials run round-robin with
// decode-only first, so each trial is measured against the decode-only
// trial of its own round: a slow moment of the machine slows both. (With
// -parallel-runs above 1, another run's decode-only trial on the same clip
// may be the latest.)
func (e *Experiment) decodeTime(pr clips.Probe) time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.decodes[clipKey(pr)]
}

func wrongFrames(got, want []int) int {
	n := 0
	for i := range want {
		if got[i] != want[i] {
			n++
		}
	}
	return n
}

func sum(xs []int) int64 {
	var s int64
	for _, x := range xs {
		s += int64(x)
	}
	return s
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func round1(x float64) float64 { return float64(int64(x*10+0.5)) / 10 }
func round3(x float64) float64 { return float64(int64(x*1000+0.5)) / 1000 }

func joinInts(xs []int, sep string) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, sep)
}
