package lab

import "concurrencylab/lab/errs"

// ErrNotFound is returned for an unknown run or experiment.
var ErrNotFound = errs.New(errs.NotFound, "not found")
