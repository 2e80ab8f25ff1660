package life

import (
	"fmt"
	"strings"
)

// lesson is the text beside the experiment: paragraphs separated by
// blank lines. The line counts of the variants come from the source
// shown, so they stay true when it changes.
func lesson() string {
	return fmt.Sprintf(`Conway's Game of Life steps a grid of cells a generation at a time: a live cell with two or three live neighbours lives on, a dead one with exactly three comes alive, every other cell is dead next time. The grid wraps at its edges. Every cell of a generation can be computed at once, from the last generation alone, so the work fans out as far as you like. The latency knob makes each cell's step wait first, the seed's stand-in for I/O: 0 is pure computing. Every variant's final grid is hashed and checked against a reference computed before the timing: the table's correct column.

The seed (a Python course) grows this program from one thread to many. A thread per cell is refused: about 8 MB of stack reserved per thread, and "if we use more than 2 gigs for threads, stop the program". Those are the seed's numbers for threads, not measured here. A goroutine starts with a stack of a few KiB that grows only when needed, so the cells variant starts size² goroutines every generation, holds each one at the generation's barrier so that all exist at once, and counts them there: the peak goroutines and stack per goroutine columns are measured in this run's process, not assumed.

With latency 0 the work is all computing, and no variant can beat the cores it has: the goroutines of cells and rows add their start-up cost to the same arithmetic. With a latency the waits overlap instead: sequential waits size² times a generation, rows about size times (each row's cells wait in turn), cells about once, and a pool of K about size ÷ K rows' worth. That holds on one core as on many, since a waiting goroutine needs no core.

The seed's queue refactoring, done in Go: generationPool is %d lines against generationPerRow's %d; a channel of row numbers, a feeding loop and a range loop in each worker replace the go statement per row, and Row is untouched. errgroup with SetLimit (generationErrgroup, %d lines) is the same bound without the plumbing, Python's ThreadPoolExecutor in Go. The pipeline of item 58 (generationPipeline, %d lines) had to cut the step itself in two, counting neighbours then applying the rules, and its one rule-applying goroutine is a stage every row passes through.

The memory columns come from runtime/metrics at each barrier: the stack bytes and heap objects the variant's trial added beyond its start. Peak RSS only grows across a run whose variants take turns, so it cannot tell one variant's memory from another's; these deltas can.`,
		funcLines(lifeSource, "generationPool"), funcLines(lifeSource, "generationPerRow"),
		funcLines(lifeSource, "generationErrgroup"), funcLines(lifeSource, "generationPipeline"))
}

// funcLines counts the lines of function name in src, from its func line
// to its closing brace; 0 if src has no such function.
func funcLines(src, name string) int {
	lines := strings.Split(src, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "func "+name+"(") {
			for j := i; j < len(lines); j++ {
				if lines[j] == "}" {
					return j - i + 1
				}
			}
		}
	}
	return 0
}
