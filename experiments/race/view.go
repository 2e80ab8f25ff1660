package race

import (
	"embed"
	"io/fs"

	"concurrencylab/lab"
)

// The step-through of a recorded race under the results: race's own view
// of its page (lab.View). It shows the trials whose extra "steps" holds
// the reads and writes the parameter steps recorded.
var stepsView = lab.View{Name: "steps", Panel: "steps.html", Scripts: []string{"steps.js"}, Styles: []string{"steps.css"}}

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
