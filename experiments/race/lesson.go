package race

// lesson is the text beside the experiment: paragraphs separated by blank
// lines. It claims nothing about how many updates Go loses: the run says.
const lesson = `counter++ looks like one step, but the processor does three: read the counter from memory into a register, add one, write the register back. Between the read and the write, another goroutine may read the same old value. Both add one, both write: two increments, and the counter moved by one. That is a lost update, and nothing warns you.

Step by step, with the counter at 41: goroutine A reads 41. Goroutine B reads 41. A adds one and writes 42. B adds one and writes 42. The counter should be 43.

The Python version of this lesson runs five threads of 100,000 increments and ends short of 500,000 even though the GIL lets only one thread run Python at a time: the interpreter can switch threads between the read and the write. Go has no GIL. Goroutines run truly in parallel, one per core, so reads and writes collide far more often. Run it and look at the table: how many updates vanished on this machine, and in how many trials.

Why a method? Increment is a method the compiler does not inline, like the Python lesson's class. A bare counter++ inside a loop compiles to a single add-to-memory instruction, which is still not atomic across cores but leaves a much smaller window, so its losses come and go. The method loads, adds and stores in separate instructions, the shape most real code has.

With one goroutine there is nothing to interleave: the sequential count is always right. That is why races hide in tests and surface under load.

Go ships a race detector: build or test with -race and it reports this exact data race, with both goroutines' stacks, the first time it happens. The fix is synchronisation: a mutex, an atomic add, or one goroutine that owns the counter; the locked counter experiment measures what each costs.`
