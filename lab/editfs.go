package lab

import "io/fs"

// MustSub returns the folder dir of fsys, an Edit's Files from the files
// an experiment embeds; it panics if dir is not a valid path, a mistake
// the lab's tests catch at once.
func MustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err)
	}
	return sub
}
