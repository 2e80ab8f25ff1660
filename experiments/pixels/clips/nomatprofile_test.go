//go:build !matprofile

package clips

func matCount() int { return -1 }
