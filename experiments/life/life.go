package life

import (
	"sync"

	"golang.org/x/sync/errgroup"
)

// generationSequential computes every cell in turn on one goroutine: the
// seed's first program, and the baseline. With a latency, it waits
// size² times in a row.
func generationSequential(s *Step) {
	for y := range s.Cur.Size {
		s.Row(y)
	}
}

// generationPerCell starts a goroutine for every cell of every
// generation: the fan-out the seed refuses for threads at ~8 MB each.
// Each goroutine computes its cell and holds at the generation's barrier
// until all have, so all size² of them exist at once, on a few KiB of
// stack each; their waits overlap, so a generation waits about one
// latency.
func generationPerCell(s *Step) {
	var computed, exited sync.WaitGroup
	barrier := make(chan struct{})
	for y := range s.Cur.Size {
		for x := range s.Cur.Size {
			computed.Add(1)
			exited.Add(1)
			go func() {
				defer exited.Done()
				s.Cell(x, y)
				computed.Done()
				<-barrier
			}()
		}
	}
	computed.Wait()
	s.Barrier() // every goroutine is alive and waiting here: count them
	close(barrier)
	exited.Wait()
}

// generationPerRow starts a goroutine for every row: size goroutines a
// generation, each computing its row's cells in turn. With a latency, a
// generation waits size latencies instead of size².
func generationPerRow(s *Step) {
	var wg sync.WaitGroup
	for y := range s.Cur.Size {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.Row(y)
		}()
	}
	s.Barrier()
	wg.Wait()
}

// generationPool is the queue refactoring: a fixed pool of Workers
// goroutines takes row numbers from a channel. Against generationPerRow
// the rows no longer start goroutines; a channel, a feeding loop and a
// range loop in each worker take their place, and Row is untouched.
func generationPool(s *Step) {
	rows := make(chan int)
	var wg sync.WaitGroup
	for range s.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for y := range rows {
				s.Row(y)
			}
		}()
	}
	for y := range s.Cur.Size {
		rows <- y
	}
	s.Barrier() // every worker is alive until the channel closes
	close(rows)
	wg.Wait()
}

// generationErrgroup is the pool without the plumbing, Python's
// ThreadPoolExecutor in Go: errgroup's SetLimit(Workers) makes g.Go wait
// while Workers rows are being computed, so a goroutine per row, at
// most Workers at once.
func generationErrgroup(s *Step) {
	var g errgroup.Group
	g.SetLimit(s.Workers)
	for y := range s.Cur.Size {
		g.Go(func() error {
			s.Row(y)
			return nil
		})
	}
	s.Barrier()
	g.Wait()
}

// counted is a row's neighbour counts, between the pipeline's stages.
type counted struct {
	y          int
	neighbours []int
}

// generationPipeline splits the step into stages joined by channels, as
// the seed's item 58 builds it: Workers goroutines count the neighbours
// of each row's cells (and wait), one goroutine applies the rules. The
// step itself had to be cut in two (CountRow, ApplyRow) to fit.
func generationPipeline(s *Step) {
	rows := make(chan int)
	counts := make(chan counted, s.Workers)
	var counters sync.WaitGroup
	for range s.Workers {
		counters.Add(1)
		go func() {
			defer counters.Done()
			for y := range rows {
				counts <- counted{y, s.CountRow(y)}
			}
		}()
	}
	applied := make(chan struct{})
	go func() {
		for c := range counts {
			s.ApplyRow(c.y, c.neighbours)
		}
		close(applied)
	}()
	for y := range s.Cur.Size {
		rows <- y
	}
	s.Barrier() // every stage is alive until its input closes
	close(rows)
	counters.Wait()
	close(counts)
	<-applied
}
