package experiments

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

	"concurrencylab/experiments/pure"
)

// The runner program holds exactly the experiments that declare no cgo,
// and the server's catalog adds exactly those that do.
func TestPureCatalogIsEveryExperimentWithoutCgo(t *testing.T) {
	var withoutCgo, withCgo []string
	for _, e := range catalog(t) {
		if info := e.Info(); info.Cgo {
			withCgo = append(withCgo, info.ID)
		} else {
			withoutCgo = append(withoutCgo, info.ID)
		}
	}
	var ids []string
	for _, e := range pure.All(2) {
		if e.Info().Cgo {
			t.Errorf("%s declares cgo but is in the pure catalog", e.Info().ID)
		}
		ids = append(ids, e.Info().ID)
	}
	if !slices.Equal(ids, withoutCgo) {
		t.Errorf("got pure catalog %v, want every experiment without cgo, in order: %v", ids, withoutCgo)
	}
	if len(withCgo) == 0 {
		t.Error("no experiment declares cgo, want pixels to (it calls OpenCV)")
	}
}

// No package the pure catalog imports has C code: a program built from it
// starts without linking a C library. An experiment whose code needs cgo
// fails here until it declares Info.Cgo and moves to the server's list.
func TestPureCatalogLinksNoC(t *testing.T) {
	if bad := cgoPackages(t, "concurrencylab/experiments/pure"); len(bad) > 0 {
		t.Errorf("the pure catalog imports packages with C code: %v", bad)
	}
	// The check itself sees C code where there is some.
	if bad := cgoPackages(t, "concurrencylab/experiments/pixels"); !slices.Contains(bad, "gocv.io/x/gocv") {
		t.Errorf("got packages with C code under pixels %v, want gocv.io/x/gocv among them", bad)
	}
}

// cgoPackages returns the packages pkg imports, itself included, that have
// C code, outside the standard library (whose cgo files have pure-Go twins,
// taken when the runner is built with CGO_ENABLED=0).
func cgoPackages(t *testing.T, pkg string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}} {{.Standard}} {{len .CgoFiles}}", pkg).CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	var bad []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) == 3 && f[1] == "false" && f[2] != "0" {
			bad = append(bad, f[0])
		}
	}
	return bad
}
