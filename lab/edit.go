package lab

import (
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Yours is the name of a learner's own variant. It is never a default
// variant: a run executes it only when its variants name it and its code
// parameter names the learner's checked and built code.
const Yours = "yours"

// An Edit declares that learners may write their own variant of an
// experiment. The learner writes a file of package yours; the lab gives
// the rest of that package read-only (race's Counter interface) and a
// harness, a main package that calls the learner's function with the
// lab's own primitives and reads the answer from them itself, so skipping
// the work cannot pass for a correct answer.
type Edit struct {
	// Files holds the harness, main.go, and the package's folder yours/
	// with the starting file: the files as they sit at Dir in the lab's
	// module, where they are built and tested like any other code.
	Files fs.FS
	// Dir is the folder of Files in the lab's module
	// ("experiments/race/edit").
	Dir string
	// Start is the starting file's name in yours/, the one file a learner
	// replaces ("yours.go").
	Start string
	// Func is the function the harness calls, as the learner must declare
	// it: its name and its parameters' and results' types
	// (Func{Name: "Count", Params: []string{"Counter", "int", "int"}}).
	Func Func
	// Expected returns the answer a correct variant gives with p.
	Expected func(p Params) int64
	// Extra, if set, returns a trial's figures (Info.Figures' keys) from
	// what the harness counted and the time the learner's function took.
	Extra func(p Params, got int64, elapsed time.Duration) map[string]any
}

// A Func is a function's name and the types of its parameters and
// results, as Go source writes them.
type Func struct {
	Name    string
	Params  []string
	Results []string
}

// String writes f as a declaration without parameter names:
// "func Count(Counter, int, int)".
func (f Func) String() string {
	s := "func " + f.Name + "(" + strings.Join(f.Params, ", ") + ")"
	switch len(f.Results) {
	case 0:
	case 1:
		s += " " + f.Results[0]
	default:
		s += " (" + strings.Join(f.Results, ", ") + ")"
	}
	return s
}

// StartingFile returns the starting file's source.
func (e *Edit) StartingFile() (string, error) {
	b, err := fs.ReadFile(e.Files, "yours/"+e.Start)
	if err != nil {
		return "", fmt.Errorf("lab: the starting file: %w", err)
	}
	return string(b), nil
}

// codeID is the form of a code id: what POST /api/code answers.
var codeID = regexp.MustCompile(`^[0-9a-f]{20}$`)

// IsCodeID reports whether s has the form of a code id.
func IsCodeID(s string) bool { return codeID.MatchString(s) }

// codeParam is the parameter of an editable experiment that names the
// learner's code.
var codeParam = Param{Name: "code", Label: "Your code", Kind: KindText, Default: "",
	Help: "the id of your own variant's code, as checking it gave (POST /api/code); the variant \"yours\" runs it"}

// checkYours checks the parameters of a learner's own variant: yours
// needs a code id, and a code id must have the form the lab gives.
func checkYours(p Params) error {
	code, _ := p["code"].(string)
	if code != "" && !IsCodeID(code) {
		return &ParamError{"code", "must be the id checking your code gave (20 hexadecimal digits)"}
	}
	if vs, ok := p["variants"].([]string); ok && slices.Contains(vs, Yours) && code == "" {
		return &ParamError{"code", "must name your checked code to run the variant yours"}
	}
	return nil
}

// RanYours returns the id of the learner's file a run with params (as a
// run keeps them: variants a list or a comma-separated string) ran as
// yours, or "" where its variants do not name yours.
func RanYours(params map[string]any) string {
	code, _ := params["code"].(string)
	var vs []string
	switch v := params["variants"].(type) {
	case string:
		vs = strings.Split(v, ",")
	case []string:
		vs = v
	case []any:
		for _, x := range v {
			if s, ok := x.(string); ok {
				vs = append(vs, s)
			}
		}
	}
	if code == "" || !slices.Contains(vs, Yours) {
		return ""
	}
	return code
}
