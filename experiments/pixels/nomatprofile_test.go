//go:build !matprofile

package pixels

func matCount() int { return -1 }
