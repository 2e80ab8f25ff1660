// Package thumbnails is the course's running example: download photos
// from a server (I/O) and resize each to three thumbnails (CPU), one
// after another, with downloads at once, in two pools one phase after
// the other, in a pipeline that overlaps them, and with the resizes in
// child processes.
package thumbnails

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/base64"
	"fmt"
	"image"
	"image/jpeg"
	"net/http"
	"runtime"
	"slices"
	"sync"
	"time"

	"concurrencylab/experiments/internal/helper"
	"concurrencylab/lab"
)

// The files a learner reads: the variants, the steps they share, and
// the resizer children.
var (
	//go:embed thumbnails.go
	variantsSource string
	//go:embed steps.go
	stepsSource string
	//go:embed child.go
	childSource string
)

const (
	// MaxImages bounds the photos of a trial.
	MaxImages = 96
	// MaxSequentialWait bounds images × latency, the waits of sequential.
	MaxSequentialWait = 30 * time.Second
)

// Experiment is the thumbnail maker.
type Experiment struct {
	mu  sync.Mutex // guards set
	set *photoSet  // the photos of the last run, made once
}

// New returns the experiment.
func New() *Experiment { return &Experiment{} }

var (
	_ lab.Experiment = (*Experiment)(nil)
	_ lab.Judge      = (*Experiment)(nil)
)

// variants are the approaches, in the order the page shows them.
var variants = []struct {
	lab.Variant
	run func(*Work) error
}{
	{lab.Variant{Name: "sequential", Summary: "download a photo, resize it, then the next"}, sequential},
	{lab.Variant{Name: "download-first", Summary: "every download at once, then the resizes one after another"}, downloadFirst},
	{lab.Variant{Name: "two-phase", Summary: "a pool downloads everything, then a pool of cores resizes", Baseline: true}, twoPhase},
	{lab.Variant{Name: "pipeline", Summary: "resizes start as each photo arrives: I/O and CPU overlap"}, pipeline},
	{lab.Variant{Name: "processes", Summary: "the pipeline with its resizes in child processes, photos copied through pipes"}, inProcesses},
}

// Info implements lab.Experiment.
func (e *Experiment) Info() lab.Info {
	return lab.Info{
		ID:      "thumbnails",
		Title:   "Thumbnails: downloads and resizes",
		Summary: "Download photos from a server in the run (I/O) and resize each to 200, 64 and 32 px (CPU): one after another, in two pools, in a pipeline that overlaps them, in child processes.",
		Lesson:  lesson,
		Params: []lab.Param{
			{Name: "images", Label: "Photos", Kind: lab.KindInt, Default: "24", Min: 1, Max: MaxImages,
				Help: "photos to download and resize, each different, made before the trials"},
			{Name: "latency", Label: "Latency", Kind: lab.KindDuration, Default: "100ms", Min: 0, Max: 2000,
				Help: "how long the server waits before it answers each download"},
			{Name: "bandwidth", Label: "Bandwidth (MiB/s)", Kind: lab.KindFloat, Default: "10", Min: 1, Max: 1000,
				Help: "how fast the server sends each photo, per connection"},
			{Name: "width", Label: "Photo width (px)", Kind: lab.KindInt, Default: "1920", Min: 320, Max: 4096,
				Help: "the photos' width, their height 9/16 of it: 1920 × 1080 by default, so that a run of every variant fits in two minutes on two cores even when other programs share them; 3264 × 1836, a phone camera's, has 2.9 times the pixels"},
			{Name: "workers", Label: "Download pool", Kind: lab.KindInt, Default: "4", Min: 1, Max: 64,
				Help: "downloads at once in two-phase, pipeline and processes (resizes at once: the cores)"},
			{Name: "total", Label: "Byte total", Kind: lab.KindChoice, Default: "mutex", Choices: []string{"mutex", "atomic", "sum"},
				Help: "how the goroutines add up the bytes downloaded and written: under a mutex, with an atomic, or a count per photo summed at the end"},
		},
		Variants: lab.VariantsOf(variants),
		Figures: []lab.Figure{
			{Key: "overlap_ms", Label: "Overlap", Unit: "ms", Main: true,
				Help: "the time downloads and resizes were both under way"},
			{Key: "download_ms", Label: "Downloading", Unit: "ms", Help: "the time at least one download was under way"},
			{Key: "resize_ms", Label: "Resizing", Unit: "ms", Help: "the time at least one resize was under way"},
			{Key: "cpu_per_image_ms", Label: "CPU per photo", Unit: "ms", Help: "CPU time of the run's process and its children ÷ photos"},
			{Key: "mib", Label: "Bytes", Unit: "MiB", Help: "the shared total: bytes downloaded plus the thumbnails' bytes"},
			{Key: "start_ms", Label: "Child start", Unit: "ms", Help: "processes: from Start until a resizer child was ready, the median"},
			{Key: "copy_ms", Label: "Copying", Unit: "ms", Help: "processes: time spent copying photos into the children and thumbnails out, all children together"},
			{Key: "copied_mib", Label: "Copied", Unit: "MiB", Help: "processes: the photos' JPEG bytes into the children and the thumbnails' pixels out"},
		},
		Source: []lab.SourceFile{{Name: "thumbnails.go", Code: variantsSource}, {Name: "steps.go", Code: stepsSource}, {Name: "child.go", Code: childSource}},
		Repeat: 6,
		Check:  check,
		Views:  []lab.View{thumbsView},
		Files:  viewFiles,
	}
}

func check(p lab.Params) error {
	if w := time.Duration(p.Int("images")) * p.Duration("latency"); w > MaxSequentialWait && slices.Contains(p.Variants(), "sequential") {
		return &lab.ParamError{Name: "images × latency", Msg: fmt.Sprintf("must be at most %s for sequential (one wait after another), got %s", MaxSequentialWait, w)}
	}
	return nil
}

// Trial implements lab.Experiment: the photos and their reference
// thumbnails are made before the timing (once a run), the server is
// started, and the variant is timed with the CPU time of this process
// and of the children it waited for.
func (e *Experiment) Trial(ctx context.Context, variant string, p lab.Params, em lab.Emitter) (lab.Trial, error) {
	v, ok := lab.Lookup(variants, variant)
	if !ok {
		return lab.Trial{}, fmt.Errorf("thumbnails: unknown variant %q", variant)
	}
	n := p.Int("images")
	set, err := e.photos(ctx, p.Int("width"), n)
	if err != nil {
		return lab.Trial{}, fmt.Errorf("thumbnails: make the photos: %w", err)
	}
	srv, err := startServer(set, p.Duration("latency"), p.Float("bandwidth"))
	if err != nil {
		return lab.Trial{}, fmt.Errorf("thumbnails: photo server: %w", err)
	}
	defer srv.close()
	transport := &http.Transport{MaxIdleConnsPerHost: n, DisableCompression: true}
	defer transport.CloseIdleConnections()
	cores := p.Cores()
	if cores == 0 {
		cores = runtime.GOMAXPROCS(0)
	}
	w := &Work{N: n, Workers: p.Int("workers"), Cores: cores, URL: srv.URL, Client: &http.Client{Transport: transport},
		Total: &Total{Way: p.String("total"), perPhoto: make([]int64, n)},
		ctx:   ctx, em: em, track: &tracker{em: em},
		hashes: make([][len(Sizes)][32]byte, n), done: make([]bool, n)}
	c0, k0, t0 := lab.CPUTime(), helper.ChildrenCPU(), time.Now()
	err = v.run(w)
	elapsed := time.Since(t0)
	cpu := lab.CPUTime() - c0 + helper.ChildrenCPU() - k0
	if ctx.Err() != nil {
		return lab.Trial{}, ctx.Err()
	}
	if err != nil {
		return lab.Trial{}, fmt.Errorf("thumbnails: %s: %w", variant, err)
	}
	downloads, resizes, both := w.track.times()
	extra := map[string]any{
		"overlap_ms": ms(both), "download_ms": ms(downloads), "resize_ms": ms(resizes),
		"cpu_per_image_ms": ms(cpu) / float64(n),
		"mib":              float64(w.Total.Sum()) / (1 << 20),
	}
	if len(w.starts) > 0 {
		extra["start_ms"] = ms(median(w.starts))
		extra["copy_ms"] = ms(w.copyTime)
		extra["copied_mib"] = float64(w.copied) / (1 << 20)
	}
	if vs := p.Variants(); len(vs) > 0 && vs[0] == variant && w.first != nil {
		extra["thumbs"] = dataURLs(w.first)
	}
	return lab.Trial{Elapsed: elapsed, CPU: cpu, Expected: lab.Int64(int64(n * len(Sizes))), Got: lab.Int64(w.matching(set)), Extra: extra}, nil
}

// matching counts the thumbnails equal to the reference ones; none if
// the shared byte total is wrong.
func (t *Work) matching(set *photoSet) int64 {
	if t.Total.Sum() != set.bytes {
		return 0
	}
	var n int64
	for i := range t.N {
		for k := range Sizes {
			if t.done[i] && t.hashes[i][k] == set.hashes[i][k] {
				n++
			}
		}
	}
	return n
}

// dataURLs are the thumbnails as the page shows them: JPEG data URLs.
func dataURLs(thumbs []*image.RGBA) []string {
	out := make([]string, len(thumbs))
	for k, m := range thumbs {
		var buf bytes.Buffer
		jpeg.Encode(&buf, m, &jpeg.Options{Quality: 90})
		out[k] = "data:image/jpeg;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())
	}
	return out
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
