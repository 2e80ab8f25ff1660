package failures

// lesson is the text beside the experiment: paragraphs separated by blank
// lines.
const lesson = `Some tasks fail. The question is who finds out. In Python, an exception raised in a threading.Thread is printed (threading.excepthook writes its traceback) and then lost: the thread ends, the main thread never hears of it, and the program goes on. With a ThreadPoolExecutor the exception travels with the future, and future.result() raises it again in the caller. Go has no exceptions for this: a failing task returns an error, a plain value, and the question becomes where that value goes.

bare: go f() starts a goroutine and throws away whatever f returns. A goroutine has no caller to return to, so each failing task's error vanishes, and unlike Python nothing is printed. The WaitGroup tells the caller when the tasks are over, not how they went. The table's Expected is how many tasks failed, Got how many errors the caller saw: here none.

collect: each goroutine sends its task's error back on a channel (a slice guarded by a mutex would do as well), and the caller joins the failures with errors.Join, which keeps every one; errors.Is and errors.As still find each inside. Every task runs to its end, and the caller sees every error, once all have finished.

errgroup (golang.org/x/sync/errgroup) is Go's ThreadPoolExecutor: SetLimit bounds the tasks running at once, as max_workers does, and Wait returns the first error. It does more than Python's executor: the first error cancels the group's context, so tasks still running stop, and those not yet begun are skipped. Cancellation is cooperative: a task stops only because it watches ctx.Done(); one that never looks runs on. Python cannot stop a running thread at all (shutdown(cancel_futures=True) only drops the tasks still waiting). The price: errgroup keeps the first error and drops the rest.

panic: a panic is not an error. It is for what should never happen: a nil map write, an index out of range, a bug. A panic that no deferred recover stops in the goroutine where it happened ends the whole program: Go prints the panic and that goroutine's stack and exits with status 2, whatever every other goroutine was doing, and their deferred calls never run. errgroup does not catch it. This is where Go differs most from Python, whose thread would print its traceback while the program went on. So the panic variant runs in a process of its own, which dies; the table shows its exit status and the run page its output, and the run goes on to its next trial.

recover: a deferred function that calls recover() stops a panic, but only in its own goroutine: nobody can recover a panic for another goroutine. So the wrapper goes inside each task's goroutine (safely in failures.go), turning the panic into an error, with its stack kept, that errgroup hands to the caller like any other. errgroup does not do this itself: its authors tried passing panics on to Wait and took it back out. net/http's server recovers a panicking handler the same way, per connection. Recover at such a boundary, where one failing request must not take the others down; elsewhere, let a bug crash loudly.

Which to use: return errors, never drop them; errgroup when the first failure makes the rest pointless; collect and errors.Join when every failure matters; recover only at the edge of independent work.`
