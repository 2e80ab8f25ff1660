package primes

// lesson is the text beside the experiment: paragraphs separated by blank
// lines. It claims nothing about Go's speedups: the run measures them.
const lesson = `The Python version of this lesson tests nine numbers near 7,900 with is_prime: try every divisor up to the square root. Run one after another they took 3.85 ms; with a thread for each number they took 14.5 ms, slower, not faster. The reason is CPython's global interpreter lock (the GIL): only the thread holding it may run Python code. The others wait, and the holder hands the lock over every 5 ms (sys.getswitchinterval()), so threads take turns on one core and pay for the switching besides.

Whether that matters depends on the work. CPU-bound work, like trial division, needs a core the whole time: under the GIL, extra threads cannot help it. I/O-bound work spends its time waiting for a disk, a database or a server, and CPython lets go of the GIL while a thread waits. Ten threads that each sleep 0.1 s, the lesson's stand-in for a network request, finish together in about 0.1 s instead of 1 s. The GIL slows computing, not waiting. Switch the workload between cpu and io to see both.

A thread per task is the simplest way to start work in parallel, but nothing bounds it: every thread costs memory for its stack and time to start and schedule. A pool (Python's ThreadPoolExecutor) keeps a fixed number of workers that take tasks from a queue. For CPU work the right size is the number of cores, since more workers only take turns on them; for I/O it is the number of waits you want in flight, which can be far more than the cores.

Go has no GIL. The scheduler runs goroutines on GOMAXPROCS operating-system threads, by default one per core, and they truly run at once. So worker-pool can keep every core busy, and the table shows how close to the core count it came on this machine. Goroutines are cheap, a few kilobytes of stack and about a microsecond to start, so goroutine-per-task is fine for thousands of tasks; it still cannot make CPU work faster than the cores allow. The hand-made pool is a channel and a few goroutines ranging over it; errgroup with SetLimit is the library version, the counterpart of ThreadPoolExecutor.

The gil variant is a model, not Python: the same worker pool, but a goroutine must hold one token to compute, hands it to the next in line after every switch interval, and lets go of it while it waits. Compare its speedup with worker-pool's, for cpu and for io, and watch the timeline: under the GIL the goroutines' bars take turns instead of overlapping.

Turn on sweep to measure worker-pool and gil with 1, 2, 4, 8 and 16 workers in one run, and compare where each line stops rising with the core count and, for io, the number of tasks.`
