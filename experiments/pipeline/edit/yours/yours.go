package yours

// Pipeline passes every number from numbers through the lab's stages,
// doubled and then incremented, and returns the channel the results come
// out on, closed after the last one. As written, the numbers come out
// doubled and stop there: add the stage that adds one.
func Pipeline(numbers <-chan int, s Stages) <-chan int {
	doubled := make(chan int)
	go func() {
		defer close(doubled)
		for x := range numbers {
			doubled <- s.Double(x)
		}
	}()
	return doubled
}
