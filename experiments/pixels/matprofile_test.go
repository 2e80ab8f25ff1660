//go:build matprofile

package pixels

import "gocv.io/x/gocv"

// matCount returns how many gocv Mats are open, or -1 when the test binary
// was built without -tags matprofile and cannot tell.
func matCount() int { return gocv.MatProfile.Count() }
