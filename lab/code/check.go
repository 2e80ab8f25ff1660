// Package code checks, builds and keeps learners' own variants: a file of
// package yours, checked for what the lab refuses before any compiler sees
// it, then built with the experiment's harness and vetted in a sandbox, on
// a runner slot's cores, with the build cached by content.
package code

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"go/types"
	"slices"
	"strconv"
	"strings"

	"concurrencylab/lab"
)

// MaxSource bounds a learner's file.
const MaxSource = 64 << 10

// A Problem is one thing wrong with a learner's file, at its line and
// column (0 where it is the whole file's).
type Problem struct {
	Line int    `json:"line"`
	Col  int    `json:"col"`
	Msg  string `json:"msg"`
}

func (p Problem) String() string {
	if p.Line == 0 {
		return p.Msg
	}
	return fmt.Sprintf("line %d:%d: %s", p.Line, p.Col, p.Msg)
}

// refusedImports are standard packages a learner's file may not import:
// cgo, the escape from Go's memory safety, and code loaded at run time.
var refusedImports = map[string]string{
	"C":           "cgo is not allowed",
	"unsafe":      "unsafe is not allowed",
	"runtime/cgo": "cgo is not allowed",
	"plugin":      "plugins are not allowed",
}

// allowedDirectives are the //go: directives a learner may write.
var allowedDirectives = []string{"go:noinline"}

// Check parses src as the learner's file of edit and returns what the lab
// refuses in it: a syntax error, another package, cgo, unsafe, a
// directive, an import beyond the standard library and golang.org/x/sync,
// or a missing or different function for the harness to call.
func Check(edit *lab.Edit, src string) []Problem {
	if len(src) > MaxSource {
		return []Problem{{Msg: fmt.Sprintf("the file is %s bytes; at most %s", lab.Group(int64(len(src))), lab.Group(MaxSource))}}
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, edit.Start, src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return syntaxProblems(err)
	}
	var ps []Problem
	at := func(pos token.Pos, msg string) {
		p := fset.Position(pos)
		ps = append(ps, Problem{Line: p.Line, Col: p.Column, Msg: msg})
	}
	if f.Name.Name != "yours" {
		at(f.Name.Pos(), fmt.Sprintf("the package must be yours, got %s", f.Name.Name))
	}
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		if why, ok := refusedImports[path]; ok {
			at(imp.Pos(), fmt.Sprintf("import %q: %s", path, why))
		} else if !allowedImport(path) {
			at(imp.Pos(), fmt.Sprintf("import %q: only the standard library and golang.org/x/sync may be imported", path))
		}
	}
	for _, cg := range f.Comments {
		for _, c := range cg.List {
			if d, ok := directive(c.Text); ok && !slices.Contains(allowedDirectives, d) {
				at(c.Pos(), fmt.Sprintf("the directive //%s is not allowed", d))
			}
			if strings.HasPrefix(c.Text, "/*") && strings.Contains(c.Text, "#cgo") {
				at(c.Pos(), "cgo directives are not allowed")
			}
		}
	}
	checkFunc(f, edit.Func, at)
	checkInit(f, edit.Func.Name, at)
	return ps
}

// allowedImport reports whether path is a standard package (no dot in
// its first element) or one of golang.org/x/sync's.
func allowedImport(path string) bool {
	if path == "" || strings.Contains(path, "..") || strings.HasPrefix(path, "/") {
		return false
	}
	first, _, _ := strings.Cut(path, "/")
	if first == "concurrencylab" {
		return false // the lab's module, which the learner's program is built in
	}
	if !strings.Contains(first, ".") {
		// A standard package, or none: the build says which.
		return !strings.Contains(path, "internal") && !strings.HasPrefix(path, "vendor/") && path != "cmd" && !strings.HasPrefix(path, "cmd/")
	}
	return path == "golang.org/x/sync" || strings.HasPrefix(path, "golang.org/x/sync/")
}

// directive returns the directive a comment is ("go:linkname"), if it
// is one: //go:..., //line, //export.
func directive(text string) (string, bool) {
	rest, ok := strings.CutPrefix(text, "//")
	if !ok {
		return "", false
	}
	name, _, _ := strings.Cut(rest, " ")
	switch {
	case strings.HasPrefix(name, "go:"), name == "line", name == "export", strings.HasPrefix(rest, "+build"):
		return name, true
	}
	return "", false
}

// checkFunc finds the function the harness calls and compares its
// parameter and result types with want's, as written.
func checkFunc(f *ast.File, want lab.Func, at func(token.Pos, string)) {
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Name.Name != want.Name || fd.Recv != nil {
			continue
		}
		got := lab.Func{Name: want.Name, Params: fieldTypes(fd.Type.Params), Results: fieldTypes(fd.Type.Results)}
		if fd.Type.TypeParams != nil || got.String() != want.String() {
			at(fd.Pos(), fmt.Sprintf("the harness calls %s; this is %s", want, got))
		}
		return
	}
	at(f.Package, fmt.Sprintf("the file must declare %s: the harness calls it", want))
}

func fieldTypes(fl *ast.FieldList) []string {
	if fl == nil {
		return nil
	}
	var ts []string
	for _, fld := range fl.List {
		t := types.ExprString(fld.Type)
		for range max(len(fld.Names), 1) {
			ts = append(ts, t)
		}
	}
	return ts
}

// syntaxProblems turns the parser's errors into problems (at most ten).
func syntaxProblems(err error) []Problem {
	var list scanner.ErrorList
	if !errors.As(err, &list) {
		return []Problem{{Msg: err.Error()}}
	}
	var ps []Problem
	for _, e := range list[:min(len(list), 10)] {
		ps = append(ps, Problem{Line: e.Pos.Line, Col: e.Pos.Column, Msg: e.Msg})
	}
	return ps
}
