package race

// lesson is the text beside the experiment: paragraphs separated by blank
// lines. It claims nothing about how many updates Go loses: the run says.
const lesson = `counter++ looks like one step, but the processor does three: read the counter from memory into a register, add one, write the register back. Between the read and the write, another goroutine may read the same old value. Both add one, both write: two increments, and the counter moved by one. That is a lost update, and nothing warns you.

Step by step, with the counter at 41: goroutine A reads 41. Goroutine B reads 41. A adds one and writes 42. B adds one and writes 42. The counter should be 43.

The Python version of this lesson runs five threads of 100,000 increments and ends short of 500,000 even though the GIL lets only one thread run Python at a time: the interpreter can switch threads between the read and the write. Go has no GIL. Goroutines run truly in parallel, one per core, so reads and writes collide far more often. Run it and look at the table: how many updates vanished on this machine, and in how many trials.

How it compiles matters. On amd64, Increment becomes one instruction that adds one to memory (INCQ), and one core never stops halfway through an instruction: goroutines taking turns on a single core lose nothing there. On arm64 it becomes three instructions, a load, an add and a store, and a goroutine preempted between them loses updates even on one core. On either, without a LOCK prefix or an atomic instruction, two cores running it at the same instant can both read 41 and both write 42. Python's threads lose updates even on one core, because the interpreter can switch threads between the bytecodes that read and write. Increment is a method the compiler does not inline, as in the Python lesson's class, so every trial runs the same instructions. And none of this is a promise: under the Go memory model a program with a data race has no guaranteed behaviour at all. The table shows what this compiler and this processor did, not a rule.

Record every step runs a model of counter++, not the real one: a lock around the read and another around the write, so every step is logged in the order it happened. Between a goroutine's read and its write the lock is free, others may read and write, and the stale write erases their updates: the lost update, step by step.

Each run has cores of its own, and the cores knob sets GOMAXPROCS: how many of them the goroutines may use at once. Try cores=1: the goroutines can then only take turns on one core, and the table shows what that did to the count.

With one goroutine there is nothing to interleave and no data race at all: the sequential count is always right, and so is unsynchronized with goroutines=1. That is why races hide in tests and surface under load.

Go ships a race detector: build or test with -race and it reports this exact data race, with both goroutines' stacks, the first time it happens. The fix is synchronization: a mutex, an atomic add, or one goroutine that owns the counter; the locked counter experiment measures what each costs.

Turn on Execution trace (with goroutines=2) and pick "Traced trial" in the timeline: the two counting goroutines' lanes are green, running, at the same instant, and "per processor" shows them on P0 and P1 side by side. Those overlapping stretches are when updates are lost.`
