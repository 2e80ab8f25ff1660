package pipeline

import (
	"fmt"
	"math"
	"strconv"

	"concurrencylab/lab"
)

func derefF(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// sig3 writes x to three significant figures, or whole with thousands
// separators from 1,000 up: 0.433, 35.7, 1,136.
func sig3(x float64) string {
	if x >= 1000 {
		return lab.Group(int64(math.Round(x)))
	}
	return strconv.FormatFloat(x, 'g', 3, 64)
}

// us writes microseconds, without the unit.
func us(x float64) string { return sig3(x) }

// ms writes milliseconds, with the unit.
func ms(x float64) string { return sig3(x) + " ms" }

// times writes how many times faster b was than a: 2.13×.
func times(a, b float64) string {
	if b <= 0 {
		return "?×"
	}
	return fmt.Sprintf("%.2f×", a/b)
}
