package waits

import (
	"bytes"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"time"
)

// sampleEvery is the sampler's tick: a wait of a few milliseconds or
// more is seen; shorter ones may be missed, which the figures' help says.
const sampleEvery = time.Millisecond

// A sampler reads, every tick, the goroutines alive, the stack memory and
// the process's resident memory, and keeps the fullest moment.
type sampler struct {
	baseG         int
	baseStacks    uint64
	baseRSS       int64
	goroutines    int    // most goroutines beyond the base
	stacks        uint64 // stack bytes beyond the base at that moment
	rss, peakRSS  int64  // most resident bytes beyond the base, and in all
	samples       []metrics.Sample
	stop, stopped chan struct{}
}

func startSampler() *sampler {
	s := &sampler{samples: []metrics.Sample{{Name: "/memory/classes/heap/stacks:bytes"}},
		stop: make(chan struct{}), stopped: make(chan struct{})}
	s.baseG = runtime.NumGoroutine()
	s.baseStacks = s.readStacks()
	s.baseRSS = rss()
	go s.loop()
	return s
}

func (s *sampler) loop() {
	defer close(s.stopped)
	t := time.NewTicker(sampleEvery)
	defer t.Stop()
	for {
		s.look()
		select {
		case <-t.C:
		case <-s.stop:
			return
		}
	}
}

func (s *sampler) look() {
	g := runtime.NumGoroutine() - s.baseG - 1 // less the sampler itself
	if g > s.goroutines {
		s.goroutines = g
		if st := s.readStacks(); st > s.baseStacks {
			s.stacks = st - s.baseStacks
		}
	}
	r := rss()
	s.peakRSS = max(s.peakRSS, r)
	s.rss = max(s.rss, r-s.baseRSS)
}

// finish stops the sampler, after a last look.
func (s *sampler) finish() {
	close(s.stop)
	<-s.stopped
}

func (s *sampler) readStacks() uint64 {
	metrics.Read(s.samples)
	return s.samples[0].Value.Uint64()
}

// rss is the process's resident memory in bytes, from /proc/self/statm
// (0 where there is none).
func rss() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := bytes.Fields(b)
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseInt(string(f[1]), 10, 64)
	return pages * int64(os.Getpagesize())
}
