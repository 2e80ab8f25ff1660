package thumbnails

import (
	"embed"
	"io/fs"

	"concurrencylab/lab"
)

// The thumbnails of the first photo under the results: thumbnails' own
// view of its page (lab.View). It shows the ones the run's first variant
// made, from its trials' extra "thumbs", and the overlap of each variant.
var thumbsView = lab.View{Name: "thumbs", Panel: "thumbs.html", Scripts: []string{"thumbs.js"}, Styles: []string{"thumbs.css"}}

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
