// Package runner executes a job in the current process: it checks the
// job's parameters (CheckJob), runs every chosen variant's trials round
// robin through an emitter that coalesces and batches what the trials
// report (RunTrials), summarises the trials (medians, wrong answers,
// speedups and their intervals) and describes the environment the run saw
// (JobEnv). A Job and its Report are plain JSON, so they can cross a pipe
// to a child process today and a queue to another machine later.
//
// It is the child's side of a run: the runner program (cmd/runner) links
// it with the experiments, and no server code (queue, store, websockets):
// the server's side is package runs. The split follows the process
// boundary, as the playground's sandbox keeps its wire types apart from
// its server.
package runner
