package pixels

import (
	"embed"
	"io/fs"

	"concurrencylab/lab"
)

// The clip gallery, upload and "What counts as blue" beside the form's
// clip field: pixels' own view of its page (lab.View). Its script places
// itself after the field and talks to the clip library's routes
// (/api/clips, mounted by main).
var clipsView = lab.View{Name: "clips", Scripts: []string{"clips.js"}, Styles: []string{"clips.css"}}

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
