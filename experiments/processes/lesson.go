package processes

// lesson is the text beside the experiment: paragraphs separated by blank
// lines.
const lesson = `A process is a whole program: its own memory, its own runtime, started by the operating system. The seed (a Python course) starts child processes to run work in parallel, joins them with pipes, and kills one that hangs. Here every child is the lab's own program started again in a helper mode, never a shell, inside the run's limits: it runs on the run's cores, its memory counts against the run's, and it ends with the run. The start per child column is what starting one costs: from Start until the child runs its first line.

One-by-one starts each of K children and waits for it before starting the next, like a loop of subprocess.run; all-at-once starts them all (Start returns once a child runs) and then waits for each. Children that wait overlap completely, so K of them take about one child's time, whatever the cores. Children that compute share the cores: K of them take about K ÷ cores times one child's time. Goroutines do the same K works inside this process; the start per child column is what a process costs on top.

A pipe carries bytes between processes through the kernel: pipe-child sends the data to a child that hashes its stdin and prints the digest; pipe-goroutine hands the same data to a goroutine through an io.Pipe. The pipeline is the seed's encrypt → hash: two children joined by one pipe, running at the same time, whose digest must equal the one this process computes alone.

A child that hangs must be ended from outside. exec.CommandContext calls the command's Cancel at the deadline; here Cancel sends SIGTERM, which the hung child ignores, and WaitDelay later Wait kills it with SIGKILL. Gone after deadline is how long after its deadline the child was reaped: about the grace, plus the time to reap it.`
