package web

import (
	"concurrencylab/lab/runs"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

func TestLimitsText(t *testing.T) {
	tests := []struct {
		name  string
		cfg   runs.Config
		cores int
		want  string
	}{
		{"one slot", runs.Config{Slots: [][]int{{0, 1}}, MaxQueue: 100, Timeout: 2 * time.Minute}, 2,
			"Each run gets 2 cores of its own: one run executes at a time, the rest wait in line (at most 100). A run may take up to 2 minutes."},
		{"three slots", runs.Config{Slots: [][]int{{0, 1}, {2, 3}, {4, 5}}, MaxQueue: 7, Timeout: 90 * time.Second}, 2,
			"Each run gets 2 cores of its own: 3 runs execute at once, one per runner slot, the rest wait in line (at most 7). A run may take up to 90 seconds."},
		{"slots of one core", runs.Config{Slots: [][]int{{0}, {1}}, MaxQueue: 10, Timeout: time.Minute}, 1,
			"Each run gets 1 core of its own: 2 runs execute at once, one per runner slot, the rest wait in line (at most 10). A run may take up to 1 minute."},
		{"unpinned, one at a time", runs.Config{Parallel: 1, MaxQueue: 5, Timeout: 1500 * time.Millisecond}, 4,
			"Each run has this machine's 4 cores to itself: one executes at a time, the rest wait in line (at most 5). A run may take up to 1.5s."},
		{"unpinned, several", runs.Config{Parallel: 3, MaxQueue: 5, Timeout: 2 * time.Minute}, 4,
			"Runs share this machine's 4 cores: 3 execute at once, the rest wait in line (at most 5). A run may take up to 2 minutes."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := limitsText(tt.cfg, tt.cores); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestExperimentPageSlots renders the experiment page of a server with
// three runner slots of one CPU: the line under the form says so, and the
// cores field sits with the trials per variant, under the variants,
// bounded by the slot.
func TestExperimentPageSlots(t *testing.T) {
	ts := newTestServer(t, runs.Config{Slots: [][]int{{0}, {1}, {2}}, MaxQueue: 7, Timeout: 90 * time.Second})
	status, body := ts.get(t, "/experiments/fake")
	if status != http.StatusOK {
		t.Fatalf("got %d, want 200", status)
	}
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var limits string
	var order []string // named inputs of the form, in order
	var runFields []string
	walk(doc, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		if n.Data == "p" && hasClass(n, "limits") {
			limits = textOf(n)
		}
		if n.Data == "input" && attr(n, "name") != "" {
			order = append(order, attr(n, "name"))
			if attr(n, "name") == "cores" && (attr(n, "min") != "1" || attr(n, "max") != "1" || attr(n, "value") != "1") {
				t.Errorf("cores input: got min %q max %q value %q, want 1, 1, 1 (a slot of one CPU)", attr(n, "min"), attr(n, "max"), attr(n, "value"))
			}
		}
		if n.Data == "div" && hasClass(n, "run-fields") {
			walk(n, func(k *html.Node) {
				if k.Type == html.ElementNode && k.Data == "input" {
					runFields = append(runFields, attr(k, "name"))
				}
			})
		}
	})
	for _, want := range []string{"1 core of its own", "3 runs execute at once", "one per runner slot", "at most 7", "90 seconds"} {
		if !strings.Contains(limits, want) {
			t.Errorf("limits %q lack %q", limits, want)
		}
	}
	if strings.Contains(limits, "take turns") {
		t.Errorf("limits %q still say runs take turns", limits)
	}
	if !slices.Equal(runFields, []string{"repeat", "cores"}) {
		t.Errorf("run fields: got %v, want [repeat cores]", runFields)
	}
	if i := slices.Index(order, "cores"); i < 0 || i < slices.Index(order, "variants") {
		t.Errorf("form inputs %v: want cores after the variants", order)
	}
}

func hasClass(n *html.Node, class string) bool {
	return slices.Contains(strings.Fields(attr(n, "class")), class)
}
