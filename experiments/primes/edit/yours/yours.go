package yours

// Count tests each of numbers with test and returns how many passed. test
// is the lab's: isPrime by trial division, or for the io workload one wait
// for a request, true once it came back. As written, one goroutine tests
// every number in turn and the other cores sit idle: start workers
// goroutines that take numbers from one channel, and count safely.
func Count(numbers []int64, workers int, test func(int64) bool) int {
	count := 0
	for _, n := range numbers {
		if test(n) {
			count++
		}
	}
	return count
}
