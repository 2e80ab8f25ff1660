package code

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"concurrencylab/experiments/race"
)

// The same file is built once, also when asked for twice at once; a
// different file is a different program; a file that does not compile is
// a BuildError on its own lines, with vet's findings kept beside a build
// that succeeds.
func TestBuild(t *testing.T) {
	b := testBuilder(t)
	edit := race.Experiment{}.Info().Edit
	start, _ := edit.StartingFile()
	ctx := context.Background()

	var wg sync.WaitGroup
	got := make([]Built, 3)
	errs := make([]error, 3)
	for i := range got {
		wg.Go(func() { got[i], errs[i] = b.Build(ctx, edit, start, false, nil) })
	}
	wg.Wait()
	for i := range got {
		if errs[i] != nil || got[i].Program != got[0].Program {
			t.Fatalf("build %d: got %v %v, want the one program", i, got[i], errs[i])
		}
	}
	if b.builds != 1 {
		t.Errorf("three asks for one file: got %d builds, want 1", b.builds)
	}
	if again, err := b.Build(ctx, edit, start, false, nil); err != nil || again.Program != got[0].Program || b.builds != 1 {
		t.Errorf("asked again: got %v %v after %d builds, want the kept program", again, err, b.builds)
	}
	progs, _ := filepath.Glob(filepath.Join(b.dir, "bin", "*"))
	if len(progs) != 2 { // the program and its vet findings
		t.Errorf("kept files: got %v, want one program and its vet", progs)
	}

	vetted := strings.Replace(start, "wg.Wait()", "wg.Wait()\n\tvar s []int\n\tfmt.Printf(\"%d\\n\", \"not a number\", s)", 1)
	vetted = strings.Replace(vetted, `import "sync"`, "import (\n\t\"fmt\"\n\t\"sync\"\n)", 1)
	built, err := b.Build(ctx, edit, vetted, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if built.Program == got[0].Program || len(built.Vet) == 0 || built.Vet[0].Line != 24 || !strings.Contains(built.Vet[0].Msg, "Printf") {
		t.Errorf("a file vet complains of: got %v, want another program with a finding on line 24", built)
	}
	if _, err := os.Stat(built.Program); err != nil {
		t.Error(err)
	}

	_, err = b.Build(ctx, edit, strings.Replace(start, "wg.Wait()", "wg.Wait()\n\tundefined()", 1), false, nil)
	var be *BuildError
	if !errors.As(err, &be) || len(be.Problems) != 1 || be.Problems[0].Line != 20 || !strings.Contains(be.Problems[0].Msg, "undefined: undefined") {
		t.Errorf("a file that does not compile: got %v, want the problem on line 20", err)
	}
}
