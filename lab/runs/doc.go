// Package runs is the server's side of a run: it queues runs in order,
// dispatches each to a runner slot, tells queued runs their place and
// expected wait, keeps every run's event log for its websockets, writes
// the verdict, and stores runs and their events (Store) so permalinks
// outlive the process.
//
// It is the side of the lab that a run's process never links: the runner
// program imports lab (the contract), lab/runner (what executes a job)
// and lab/event (the events' bodies), and nothing here. The Manager gets
// a Runner that executes a job somewhere (a child process, in
// lab/process) and appends the run's events to its log as they come.
package runs
