package yours

import _ "embed"

// HarnessSource is package harness's source, built into every learner's
// program.
//
//go:embed harness/harness.go
var HarnessSource string
