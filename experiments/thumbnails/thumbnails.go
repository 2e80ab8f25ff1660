package thumbnails

import (
	"context"

	"golang.org/x/sync/errgroup"
)

// sequential downloads a photo, resizes it, then goes on to the next:
// the seed's first program. It takes N × (download + resize), and one
// core at most.
func sequential(t *Work) error {
	for i := range t.N {
		jpg, err := t.download(i)
		if err != nil {
			return err
		}
		if err := t.resizeOne(i, jpg); err != nil {
			return err
		}
	}
	return nil
}

// downloadFirst downloads every photo at once, a goroutine each (the
// course's first step: threads for the I/O), then resizes them one after
// another. The waits overlap; the resizes still use one core.
func downloadFirst(t *Work) error {
	jpgs := make([][]byte, t.N)
	var g errgroup.Group
	for i := range t.N {
		g.Go(func() (err error) {
			jpgs[i], err = t.download(i)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for i, jpg := range jpgs {
		if err := t.resizeOne(i, jpg); err != nil {
			return err
		}
	}
	return nil
}

// twoPhase is a pool of Workers goroutines that downloads everything,
// then a pool of Cores goroutines that resizes: both phases in
// parallel, but no resize starts before the last download ends, so the
// cores idle while the network works, and the network while the cores do.
func twoPhase(t *Work) error {
	jpgs := make([][]byte, t.N)
	var downloads errgroup.Group
	downloads.SetLimit(t.Workers)
	for i := range t.N {
		downloads.Go(func() (err error) {
			jpgs[i], err = t.download(i)
			return err
		})
	}
	if err := downloads.Wait(); err != nil {
		return err
	}
	var resizes errgroup.Group
	resizes.SetLimit(t.Cores)
	for i, jpg := range jpgs {
		resizes.Go(func() error { return t.resizeOne(i, jpg) })
	}
	return resizes.Wait()
}

// A photo is one downloaded photo on its way to be resized.
type photo struct {
	i   int
	jpg []byte
}

// pipeline overlaps the I/O and the CPU: Workers goroutines download
// and hand each photo over a channel as soon as it arrives, where Cores
// goroutines resize it. The first resize starts after the first download,
// not the last.
func pipeline(t *Work) error {
	g, ctx := errgroup.WithContext(t.ctx)
	photos := make(chan photo)
	g.Go(func() error { return t.downloadInto(ctx, photos) })
	for range t.Cores {
		g.Go(func() error {
			for p := range photos {
				if err := t.resizeOne(p.i, p.jpg); err != nil {
					return err
				}
			}
			return nil
		})
	}
	return g.Wait()
}

// inProcesses is the pipeline with its resizes in Cores child processes
// (what Python's multiprocessing does): each photo's JPEG is copied
// through a pipe to a child, its thumbnails' pixels back through
// another. Each child costs a start, each photo two copies.
func inProcesses(t *Work) error {
	g, ctx := errgroup.WithContext(t.ctx)
	photos := make(chan photo)
	g.Go(func() error { return t.downloadInto(ctx, photos) })
	for range t.Cores {
		g.Go(func() error {
			child, err := t.startResizer(ctx)
			if err != nil {
				return err
			}
			defer child.stop()
			for p := range photos {
				thumbs, err := child.resize(p.jpg)
				if err != nil {
					return err
				}
				if err := t.keep(p.i, thumbs); err != nil {
					return err
				}
			}
			return child.stop()
		})
	}
	return g.Wait()
}

// downloadInto downloads every photo with a pool of Workers goroutines,
// sending each into photos as it arrives, and closes photos at the end.
func (t *Work) downloadInto(ctx context.Context, photos chan<- photo) error {
	defer close(photos)
	var g errgroup.Group
	g.SetLimit(t.Workers)
	for i := range t.N {
		g.Go(func() error {
			jpg, err := t.download(i)
			if err != nil {
				return err
			}
			select {
			case photos <- photo{i, jpg}:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}
	return g.Wait()
}
