package yours

import "context"

// A Task is one of the lab's tasks, numbered from 1. It waits a while, as
// a request to a slow server would, and some tasks fail with an error.
// It stops early, returning ctx's error, once ctx is cancelled.
type Task func(ctx context.Context, n int) error
