package clips

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"concurrencylab/lab/errs"
)

func TestPicturesAreCachedAndBounded(t *testing.T) {
	start := matCount()
	l, _ := newLibrary(t, 9)
	l.pictureWait = 50 * time.Millisecond
	ctx := context.Background()
	first, err := l.Frame(ctx, "test.avi", 3)
	if err != nil {
		t.Fatalf("Frame: got error %v, want none", err)
	}
	cached, _ := filepath.Glob(filepath.Join(l.Dir(), cacheDir, "*", "frame-3.png"))
	if len(cached) != 1 {
		t.Fatalf("got cache files %v, want frame-3.png under the clip's hash", cached)
	}
	// Every decoder busy: a cached picture is still served, an uncached
	// one waits, then is refused as busy.
	for range cap(l.decoders) {
		l.decoders <- struct{}{}
	}
	again, err := l.Frame(ctx, "test.avi", 3)
	if err != nil || !bytes.Equal(again, first) {
		t.Errorf("a cached frame with every decoder busy: got %d bytes, %v; want the same PNG", len(again), err)
	}
	_, err = l.Frame(ctx, "test.avi", 4)
	var p *Problem
	if !errors.As(err, &p) || p.Kind != errs.Unavailable {
		t.Errorf("an uncached frame with every decoder busy: got %v, want a busy Problem", err)
	}
	for range cap(l.decoders) {
		<-l.decoders
	}
	// Decoders at once never exceed the bound.
	var wg sync.WaitGroup
	for i := range 9 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l.Poster(ctx, "test.avi")
			l.Frame(ctx, "test.avi", i)
		}()
	}
	wg.Wait()
	if n := len(l.decoders); n != 0 {
		t.Errorf("%d decoders still held after every request returned", n)
	}
	checkMats(t, start)
}

func TestPictureCacheTrimmed(t *testing.T) {
	l, _ := newLibrary(t, 9)
	l.maxCacheBytes = 1 // every picture overflows it
	for i := range 3 {
		if _, err := l.Frame(context.Background(), "test.avi", i); err != nil {
			t.Fatal(err)
		}
	}
	if got := cacheSize(filepath.Join(l.Dir(), cacheDir)); got > l.maxCacheBytes {
		t.Errorf("cache holds %d bytes, want at most %d", got, l.maxCacheBytes)
	}
	names, err := l.Names()
	if err != nil || len(names) != 1 {
		t.Errorf("the cache must not show up as clips: got %v, %v", names, err)
	}
}

// TestFirstProbeWaitsForADecoder: a clip never probed is decoded whole on
// its first picture, so that waits for a decoder like any decoding.
func TestFirstProbeWaitsForADecoder(t *testing.T) {
	l, _ := newLibrary(t, 9)
	l.pictureWait = 20 * time.Millisecond
	for range cap(l.decoders) {
		l.decoders <- struct{}{}
	}
	_, err := l.Poster(context.Background(), "test.avi")
	var p *Problem
	if !errors.As(err, &p) || p.Kind != errs.Unavailable {
		t.Errorf("first picture of a clip with every decoder busy: got %v, want a busy Problem", err)
	}
	l.mu.Lock()
	_, probed := l.probes["test.avi"]
	l.mu.Unlock()
	if probed {
		t.Error("the clip was probed without a decoder")
	}
	for range cap(l.decoders) {
		<-l.decoders
	}
}
