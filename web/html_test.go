package web

import (
	"concurrencylab/web/internal/webtest"
)

// The HTML walks every web package's tests share.
var (
	walk   = webtest.Walk
	attr   = webtest.Attr
	textOf = webtest.Text
)
