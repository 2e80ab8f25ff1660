package yours

// Stages are the lab's steps of the pipeline. Each may be called from
// many goroutines at once; one of them may be slow (the slow parameter).
type Stages interface {
	Double(x int) int    // 2*x
	Increment(x int) int // x+1
}
