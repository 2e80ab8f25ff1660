package code

import (
	"fmt"
	"go/ast"
	"go/token"
)

// Nothing of a learner's file may run before the harness: an init
// function or a package-level variable's initializer that calls a
// function would run first, and could read the lab's first line (its
// secret) and answer in the harness's place. So the lab refuses those,
// but for the calls that only build a value.

// valueCalls are the calls a package-level initializer may make: builtins
// and conversions to predeclared types (by name), and a few constructors.
var valueCalls = map[string]bool{
	"make": true, "new": true, "len": true, "cap": true, "complex": true, "real": true, "imag": true, "min": true, "max": true,
	"bool": true, "string": true, "byte": true, "rune": true, "error": true, "any": true,
	"int": true, "int8": true, "int16": true, "int32": true, "int64": true,
	"uint": true, "uint8": true, "uint16": true, "uint32": true, "uint64": true, "uintptr": true,
	"float32": true, "float64": true, "complex64": true, "complex128": true,
	"errors.New": true, "time.Duration": true, // not fmt.Errorf: it calls its arguments' String and Error methods
}

// checkInit refuses what would run before the harness: func init, and
// package-level initializers with calls beyond valueCalls (a function
// literal's body runs only when called, which is itself a call).
func checkInit(f *ast.File, fn string, at func(token.Pos, string)) {
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil && d.Name.Name == "init" {
				at(d.Pos(), fmt.Sprintf("func init is not allowed: it would run before the lab's harness; do the work in %s", fn))
			}
		case *ast.GenDecl:
			if d.Tok != token.VAR {
				continue
			}
			for _, spec := range d.Specs {
				for _, v := range spec.(*ast.ValueSpec).Values {
					ast.Inspect(v, func(n ast.Node) bool {
						switch n := n.(type) {
						case *ast.FuncLit:
							return false
						case *ast.CallExpr:
							if !valueCalls[callName(n.Fun)] {
								at(n.Pos(), fmt.Sprintf("a package-level variable may not call %s: it would run before the lab's harness; set it up in %s", callName(n.Fun), fn))
								return false
							}
						}
						return true
					})
				}
			}
		}
	}
}

// callName names what a call calls: "len", "errors.New", a method's
// name, or "a function" (a function literal, say).
func callName(fun ast.Expr) string {
	switch f := fun.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		if x, ok := f.X.(*ast.Ident); ok {
			return x.Name + "." + f.Sel.Name
		}
		return f.Sel.Name // a method of a value made on the way
	case *ast.ParenExpr:
		return callName(f.X)
	}
	return "a function"
}
