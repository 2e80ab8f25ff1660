// Package static holds the lab's browser assets: the stylesheet, the page
// scripts (small ES modules, no build step) and vendored libraries, each
// with its version and license. The server serves FS at /static/.
package static

import "embed"

// FS holds the stylesheets (*.css), favicon.svg, js/*.js and vendor/**, at
// those paths.
//
//go:embed *.css favicon.svg js vendor
var FS embed.FS
