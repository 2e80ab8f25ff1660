package detector

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// Build builds racecounter into dir and returns its path, for tests, as
// make build does: with -race for the detector, and -trimpath so reports
// name files by import path (concurrencylab/experiments/locked/counters.go)
// rather than by where the server's source happened to lie. It runs the go
// command, which must be on PATH (go test puts it there), from inside the
// module.
func Build(ctx context.Context, dir string) (string, error) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		if root := os.Getenv("GOROOT"); root != "" {
			goTool, err = filepath.Join(root, "bin", "go"), nil
		}
	}
	if err != nil {
		return "", fmt.Errorf("detector: build racecounter: no go command: %w", err)
	}
	out := filepath.Join(dir, "racecounter")
	args := []string{"build", "-race", "-trimpath", "-o", out, "concurrencylab/cmd/racecounter"}
	cmd := exec.CommandContext(ctx, goTool, args...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("detector: go %v: %w\n%s", args, err, msg)
	}
	return out, nil
}
