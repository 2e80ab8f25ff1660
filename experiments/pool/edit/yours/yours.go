package yours

import "sync"

// Serve answers requests 0 to requests-1, each with one query on a
// connection of its own, in a goroutine each, and returns once all are
// done. As written, nothing bounds the connections: every request
// connects at once and the database refuses all but a few. Let at most
// connections requests hold one at a time.
func Serve(db Database, requests, connections int) {
	var wg sync.WaitGroup
	for r := range requests {
		wg.Go(func() {
			conn, err := db.Connect()
			if err != nil {
				return // refused: too many connections
			}
			defer conn.Close()
			conn.Query(r)
		})
	}
	wg.Wait()
}
