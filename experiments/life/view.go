package life

import (
	"embed"
	"io/fs"

	"concurrencylab/lab"
)

// The animation of the grid under the results: life's own view of its
// page (lab.View). It plays the generations a trial kept in its extra
// "frames" (grids of at most AnimatedSize cells a side).
var animationView = lab.View{Name: "life", Panel: "life.html", Scripts: []string{"life.js"}, Styles: []string{"life.css"}}

//go:embed view
var view embed.FS

// viewFiles are the view's files, at the root.
var viewFiles = func() fs.FS {
	f, err := fs.Sub(view, "view")
	if err != nil {
		panic(err) // a constant path of an embedded directory
	}
	return f
}()
