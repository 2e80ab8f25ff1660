package pool

// lesson is the text beside the experiment: paragraphs separated by blank
// lines.
const lesson = `A database accepts only so many connections at once: PostgreSQL's max_connections, a licence, a rate limit. Here a pretend one accepts K and refuses the next with "too many connections". Many requests arrive at once, each needing a connection for one query. Go makes a goroutine per request cheap, so the question is not how many goroutines, but how many of them may hold a connection at the same time. The table's expected is the requests, got the ones served; the most connections column is what the database saw.

The Python lesson bounds a pool with threading.BoundedSemaphore(K): with sem: conn = db.connect(). Go's counterpart is golang.org/x/sync/semaphore: sem.Acquire(ctx, 1) before connecting, sem.Release(1) after closing. Every request still has its goroutine, but only K get past Acquire at once; the rest wait in line, and Acquire gives up if the context is cancelled, which Python's acquire cannot do. A BoundedSemaphore also complains if released more often than acquired; semaphore.Weighted panics in the same case.

A buffered channel is Go's own semaphore, and more: put K open connections in a channel of capacity K, and a request takes one out (waiting while it is empty) and puts it back when done. The connections are opened once and reused, as database/sql's pool does for you (SetMaxOpenConns sets its K). Waiting requests are served in the order they came.

errgroup with SetLimit(K) is Python's ThreadPoolExecutor(max_workers=K): g.Go starts a goroutine for a request only when fewer than K are running, and waits otherwise, so there are never more than K goroutines at all; the first error cancels the group's context for the rest, and g.Wait returns it. It bounds goroutines, which bounds connections here because each goroutine holds one.

Without a limit, every request connects at once, the database refuses all but K, and those requests fail: the failed requests column, and got short of expected. Watch the waits too: with a bound, a request waits for a connection, the median request about half the run and the last one nearly all of it (p99); without one, nobody waits and most fail. The connections chart shows the open connections over the run: flat at K for the bounded pools, a spike for unbounded.

Where Go differs from Python: threads are costly enough that Python bounds them with a pool and so bounds connections for free; goroutines are cheap enough that Go programs start one per request and must bound the connections separately. Both mistakes are easy: a goroutine per request with no semaphore is the unbounded variant, and it works fine in testing, with few requests at a time.`
