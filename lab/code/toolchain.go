package code

// The Go toolchain a learner's code is built with, and the one module
// beyond the standard library it may use, golang.org/x/sync, copied out of
// the server's module cache so a build needs no network and no right to
// the server user's files.

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
)

// syncModule is the module a learner may import beyond the standard library.
const syncModule = "golang.org/x/sync"

// ErrNoToolchain means there is no go command to build learners' code.
var ErrNoToolchain = errors.New("code: no Go toolchain (the go command) on the PATH")

// A toolchain is the local Go installation.
type toolchain struct {
	Go       string // the go command
	GOROOT   string
	Version  string // "1.26.8"
	ModCache string // the server user's module cache, for x/sync
}

// findToolchain looks for the go command and asks it where it lives.
func findToolchain(ctx context.Context) (toolchain, error) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		return toolchain{}, ErrNoToolchain
	}
	cmd := exec.CommandContext(ctx, gobin, "env", "-json", "GOROOT", "GOMODCACHE", "GOVERSION")
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local", "GOFLAGS=")
	out, err := cmd.Output()
	if err != nil {
		return toolchain{}, fmt.Errorf("code: go env: %w", err)
	}
	var env struct{ GOROOT, GOMODCACHE, GOVERSION string }
	if err := json.Unmarshal(out, &env); err != nil {
		return toolchain{}, fmt.Errorf("code: go env: %w", err)
	}
	v := strings.TrimPrefix(env.GOVERSION, "go")
	if i := strings.IndexAny(v, " -"); i >= 0 {
		v = v[:i]
	}
	return toolchain{Go: gobin, GOROOT: env.GOROOT, Version: v, ModCache: env.GOMODCACHE}, nil
}

// syncVersion returns the version of golang.org/x/sync this program was
// built with, the one a learner's program gets, or where the program does
// not say (a test), the newest in the module cache.
func syncVersion(modCache string) (string, error) {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == syncModule {
				return d.Version, nil
			}
		}
	}
	zips, _ := filepath.Glob(filepath.Join(modCache, "cache", "download", "golang.org", "x", "sync", "@v", "v*.zip"))
	best, bestN := "", [3]int{-1}
	for _, z := range zips {
		v := strings.TrimSuffix(filepath.Base(z), ".zip")
		var n [3]int
		if _, err := fmt.Sscanf(v, "v%d.%d.%d", &n[0], &n[1], &n[2]); err == nil && strings.Count(v, ".") == 2 && !strings.Contains(v, "-") {
			if slices.Compare(n[:], bestN[:]) > 0 {
				best, bestN = v, n
			}
		}
	}
	if best == "" {
		return "", errors.New("code: golang.org/x/sync is not in the module cache: build the lab once with its modules downloaded")
	}
	return best, nil
}

// copySync copies x/sync's download files from the module cache to
// modCache, for builds with GOPROXY=off, and returns the go.sum lines for
// it.
func copySync(from, modCache, version string) (goSum string, err error) {
	rel := filepath.Join("cache", "download", "golang.org", "x", "sync", "@v")
	dst := filepath.Join(modCache, rel)
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return "", fmt.Errorf("code: module cache: %w", err)
	}
	for _, ext := range []string{".info", ".mod", ".zip", ".ziphash"} {
		if err := copyFile(filepath.Join(from, rel, version+ext), filepath.Join(dst, version+ext)); err != nil {
			return "", fmt.Errorf("code: golang.org/x/sync %s is not in the module cache (%w): build the lab once with its modules downloaded", version, err)
		}
	}
	zipHash, err := os.ReadFile(filepath.Join(dst, version+".ziphash"))
	if err != nil {
		return "", err
	}
	mod, err := os.ReadFile(filepath.Join(dst, version+".mod"))
	if err != nil {
		return "", err
	}
	// The go.mod's hash as go.sum writes it (dirhash's Hash1 of one file).
	line := fmt.Sprintf("%x  go.mod\n", sha256.Sum256(mod))
	sum := sha256.Sum256([]byte(line))
	return fmt.Sprintf("%s %s %s\n%s %s/go.mod h1:%s\n", syncModule, version, strings.TrimSpace(string(zipHash)),
		syncModule, version, base64.StdEncoding.EncodeToString(sum[:])), nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
