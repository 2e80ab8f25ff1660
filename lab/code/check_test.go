package code

import (
	"strings"
	"testing"

	"concurrencylab/lab"
)

// edit is race's and locked's Edit as far as Check needs it.
var edit = &lab.Edit{Start: "yours.go", Dir: "experiments/internal/yourcount/prog",
	Func: lab.Func{Name: "Count", Params: []string{"Counter", "int", "int"}}}

const good = `package yours

import "sync"

func Count(c Counter, goroutines, increments int) {
	var wg sync.WaitGroup
	wg.Wait()
}
`

func TestCheck(t *testing.T) {
	tests := []struct {
		name string
		src  string
		line int    // of the first problem; 0: the whole file's
		want string // in the first problem; "" for none
	}{
		{"good", good, 0, ""},
		{"x/sync", strings.Replace(good, `"sync"`, `"golang.org/x/sync/errgroup"`, 1) + "var _ errgroup.Group\n", 0, ""},
		{"noinline", good + "//go:noinline\nfunc f() {}\n", 0, ""},
		{"syntax error", "package yours\n\nfunc Count(c Counter, goroutines, increments int) {\n\tfor {\n}\n", 5, "expected '}'"},
		{"another package", strings.Replace(good, "package yours", "package main", 1), 1, "the package must be yours, got main"},
		{"cgo", strings.Replace(good, `"sync"`, `"C"`, 1), 3, `import "C": cgo is not allowed`},
		{"cgo directive", "package yours\n\n/*\n#cgo LDFLAGS: -lm\n*/\nimport \"sync\"\n" + good[len("package yours\n\nimport \"sync\"\n"):], 3, "cgo directives are not allowed"},
		{"unsafe", strings.Replace(good, `"sync"`, `"unsafe"`, 1), 3, `import "unsafe": unsafe is not allowed`},
		{"linkname", good + "//go:linkname now runtime.nanotime\nfunc now() int64\n", 9, "the directive //go:linkname is not allowed"},
		{"init", good + "\nfunc init() {}\n", 10, "func init is not allowed: it would run before the lab's harness; do the work in Count"},
		{"initializer call", good + "\nvar secret = readSecret()\n\nfunc readSecret() string { return \"\" }\n", 10, "a package-level variable may not call readSecret"},
		{"fmt.Errorf calls methods", good + "\nvar e = fmt.Errorf(\"%v\", 1)\n", 10, "may not call fmt.Errorf"},
		{"called func literal", good + "\nvar _ = func() int { return 0 }()\n", 10, "may not call a function"},
		{"value initializers", good + "\nvar (\n\terrBad = errors.New(\"bad\")\n\tch = make(chan int, 4)\n\tf = func() int { return len(\"x\") }\n\td = time.Duration(int64(3))\n)\n", 0, ""},
		{"embed", "package yours\n\nimport _ \"embed\"\n\n//go:embed /etc/passwd\nvar s string\n\nfunc Count(c Counter, goroutines, increments int) {}\n", 5, "the directive //go:embed is not allowed"},
		{"line directive", good + "//line other.go:1\nfunc f() {}\n", 9, "the directive //line is not allowed"},
		{"build constraint", "//go:build ignore\n\n" + good, 1, "the directive //go:build is not allowed"},
		{"module import", strings.Replace(good, `"sync"`, `"github.com/x/y"`, 1), 3, "only the standard library and golang.org/x/sync may be imported"},
		{"internal import", strings.Replace(good, `"sync"`, `"internal/cpu"`, 1), 3, "only the standard library"},
		{"the lab's own packages", strings.Replace(good, `"sync"`, `"concurrencylab/lab"`, 1), 3, "only the standard library"},
		{"no Count", "package yours\n\nfunc count() {}\n", 1, "the file must declare func Count(Counter, int, int)"},
		{"wrong signature", "package yours\n\nfunc Count(c Counter, n int) int { return 0 }\n", 3, "the harness calls func Count(Counter, int, int); this is func Count(Counter, int) int"},
		{"a method named Count", "package yours\n\ntype T struct{}\n\nfunc (T) Count(c Counter, g, n int) {}\n", 1, "the file must declare"},
		{"generic Count", "package yours\n\nfunc Count[T any](c Counter, g, n int) {}\n", 3, "the harness calls"},
		{"NUL", good + "// \x00\n", 9, "illegal character NUL"},
		{"invalid UTF-8", good + "// \xff\n", 9, "illegal UTF-8 encoding"},
		{"1 MiB", good + "// " + strings.Repeat("x", 1<<20) + "\n", 0, "the file is 1,048,"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := Check(edit, tt.src)
			if tt.want == "" {
				if len(ps) > 0 {
					t.Fatalf("got problems %v, want none", ps)
				}
				return
			}
			if len(ps) == 0 {
				t.Fatalf("got no problem, want %q", tt.want)
			}
			if !strings.Contains(ps[0].Msg, tt.want) || ps[0].Line != tt.line {
				t.Errorf("got %v, want line %d: %q", ps[0], tt.line, tt.want)
			}
		})
	}
}

// The compiler's and vet's findings on the learner's file keep its own
// lines; findings on the lab's files are not the learner's.
func TestFileProblems(t *testing.T) {
	out := "# concurrencylab/experiments/internal/yourcount/prog/yours\n" +
		"experiments/internal/yourcount/prog/yours/yours.go:7:2: declared and not used: x\n" +
		"experiments/internal/yourcount/prog/main.go:3:1: something of the lab's\n" +
		"vet: experiments/internal/yourcount/prog/yours/yours.go:12:5: loop variable captured\n"
	ps := fileProblems(edit, out)
	want := []Problem{{7, 2, "declared and not used: x"}, {12, 5, "loop variable captured"}}
	if len(ps) != len(want) {
		t.Fatalf("got %v, want %v", ps, want)
	}
	for i := range want {
		if ps[i] != want[i] {
			t.Errorf("problem %d: got %v, want %v", i, ps[i], want[i])
		}
	}
}
