package thumbnails

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"concurrencylab/lab"
)

// small is a trial that takes a fraction of a second: small photos on a
// fast server.
const small = "images=4&width=320&latency=5ms&bandwidth=100&workers=2"

// Every variant makes every thumbnail right and counts the same bytes;
// the concurrent ones with every way of adding up the bytes too.
func TestEveryVariantIsCorrect(t *testing.T) {
	e := New()
	for _, total := range []string{"mutex", "atomic", "sum"} {
		t.Run(total, func(t *testing.T) {
			p := params(t, small+"&total="+total)
			var mib float64
			for _, v := range variants {
				if total != "mutex" && v.Name != "two-phase" && v.Name != "pipeline" {
					continue
				}
				tr := trial(t, e, v.Name, p)
				got := tr.Extra["mib"].(float64)
				if mib != 0 && got != mib {
					t.Errorf("%s: got %.4f MiB, want %.4f as the others", v.Name, got, mib)
				}
				mib = got
			}
		})
	}
}

// Thumbnails are 200, 64 and 32 px wide and keep the photo's 16:9.
func TestThumbnailSizes(t *testing.T) {
	set, err := New().photos(context.Background(), 640, 1)
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range [][2]int{{200, 113}, {64, 36}, {32, 18}} {
		if b := set.first[k].Bounds(); b.Dx() != want[0] || b.Dy() != want[1] {
			t.Errorf("thumbnail %d: got %d × %d, want %d × %d", k, b.Dx(), b.Dy(), want[0], want[1])
		}
	}
}

// No resize of two-phase or sequential overlaps a download, by their
// shape; the pipeline's first resize runs while later photos download
// (each download waits 30ms, a resize of a small photo takes far less),
// and the processes variant reports what its children cost.
func TestOverlap(t *testing.T) {
	e := New()
	p := params(t, "images=4&width=320&latency=30ms&bandwidth=100&workers=1")
	for _, v := range []string{"sequential", "two-phase"} {
		if o := trial(t, e, v, p).Extra["overlap_ms"].(float64); o != 0 {
			t.Errorf("%s: got overlap %.2f ms, want 0", v, o)
		}
	}
	// A loaded machine may delay a resize past a download: try again.
	var o float64
	for range 3 {
		if o = trial(t, e, "pipeline", p).Extra["overlap_ms"].(float64); o > 0 {
			break
		}
	}
	if o <= 0 {
		t.Errorf("pipeline: got overlap %.2f ms in 3 trials, want some", o)
	}
	pr := trial(t, e, "processes", p)
	for _, k := range []string{"start_ms", "copy_ms", "copied_mib"} {
		if x, ok := pr.Extra[k].(float64); !ok || x <= 0 {
			t.Errorf("processes: got %s %v, want it measured", k, pr.Extra[k])
		}
	}
}

// A wrong byte total or a wrong thumbnail counts as wrong.
func TestWrongIsSeen(t *testing.T) {
	set, err := New().photos(context.Background(), 320, 2)
	if err != nil {
		t.Fatal(err)
	}
	w := &Work{N: 2, Total: &Total{Way: "atomic"}, hashes: append([][len(Sizes)][32]byte(nil), set.hashes...), done: []bool{true, true}}
	w.Total.Add(0, set.bytes)
	if got := w.matching(set); got != 6 {
		t.Fatalf("got %d right, want 6", got)
	}
	w.hashes[1][2][0] ^= 1
	if got := w.matching(set); got != 5 {
		t.Errorf("one thumbnail changed: got %d right, want 5", got)
	}
	w.Total.Add(1, 1)
	if got := w.matching(set); got != 0 {
		t.Errorf("byte total off by one: got %d right, want 0", got)
	}
}

func TestServer(t *testing.T) {
	set, err := New().photos(context.Background(), 320, 1)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := startServer(set, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.close()
	c := &http.Client{Transport: &http.Transport{}}
	defer c.CloseIdleConnections()
	for path, want := range map[string]int{"/photo/0": 200, "/photo/1": 404, "/photo/-1": 404, "/photo/x": 404} {
		resp, err := c.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s: got %d, want %d", path, resp.StatusCode, want)
		}
	}
}

func TestLimits(t *testing.T) {
	for _, tt := range []struct{ name, query, want string }{
		{"images", "images=0", "images must be"},
		{"sequential", "images=96&latency=1s", "images × latency must be at most 30s for sequential"},
		{"width", "width=100", "width must be"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := lab.ParseMap(New().Info(), splitQuery(tt.query))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
	if _, err := lab.ParseMap(New().Info(), splitQuery("images=96&latency=1s&variants=pipeline")); err != nil {
		t.Errorf("without sequential: got %v, want it accepted", err)
	}
}

func splitQuery(q string) map[string]string {
	m := map[string]string{}
	for _, kv := range strings.Split(q, "&") {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return m
}

// A cancelled trial returns promptly, its server and children stopped.
func TestCancel(t *testing.T) {
	e := New()
	p := params(t, "images=8&width=320&latency=2s&bandwidth=100")
	for _, v := range []string{"sequential", "pipeline", "processes"} {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		start := time.Now()
		if _, err := e.Trial(ctx, v, p, lab.Discard); err == nil {
			t.Errorf("%s: got no error from a cancelled trial", v)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("%s: a cancelled trial took %s, want it prompt", v, d)
		}
		cancel()
	}
}

func TestHelperUnknownMode(t *testing.T) {
	if code := Helper("nope"); code == 0 {
		t.Error("got status 0 for an unknown mode, want 2")
	}
}
