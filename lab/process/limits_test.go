package process

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"concurrencylab/lab"
)

// mechanisms returns a runner for each way of limiting memory this
// machine has: the one DetectMemory picks (a cgroup where the test may
// make one) and polling, which every machine has.
func mechanisms(t *testing.T) map[string]*Runner {
	t.Helper()
	m, why := DetectMemory()
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Error(err)
		}
	})
	t.Logf("memory mechanism: %s %s", m.Mechanism(), why)
	runners := map[string]*Runner{"polled": newRunner(t)}
	detected := newRunner(t)
	detected.Limit = m
	runners["detected ("+m.Mechanism()+")"] = detected
	return runners
}

func TestMemoryLimitCoversTheTree(t *testing.T) {
	for name, r := range mechanisms(t) {
		t.Run(name, func(t *testing.T) {
			// 80 MiB in the run's process and 80 more in the process it
			// starts: each under 128 MiB, the tree over it.
			r.Memory = 128 << 20
			_, err := r.Run(context.Background(), job("hogtree", map[string]string{"mib": "80"}), &sink{})
			if !errors.Is(err, ErrMemory) || !strings.Contains(err.Error(), "more than 128 MiB") {
				t.Fatalf("got error %v, want the memory limit's", err)
			}
			if r.Limit != nil && r.Limit.base != "" {
				ents, _ := os.ReadDir(r.Limit.base)
				if i := slices.IndexFunc(ents, os.DirEntry.IsDir); i >= 0 {
					t.Errorf("got the run group %s left after the run, want none", ents[i].Name())
				}
			}
		})
	}
}

func TestMemoryLimitLeavesSharedPages(t *testing.T) {
	// A file the parent maps and reads, as the server maps the C
	// libraries its cgo child maps too: the child's resident memory passes
	// the limit, what it owns does not.
	file := filepath.Join(t.TempDir(), "lib.so")
	if err := os.WriteFile(file, make([]byte, 160<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	data, err := mapAndTouch(file)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Munmap(data)
	for name, r := range mechanisms(t) {
		t.Run(name, func(t *testing.T) {
			r.Memory = 128 << 20
			rep, err := r.Run(context.Background(), job("maplib", map[string]string{"file": file}), &sink{})
			if err != nil {
				t.Fatalf("got error %v, want the run done", err)
			}
			rss, _ := lab.Number(rep.Result.Variant("maplib").Trials[0].Extra["rss"])
			if int64(rss) <= r.Memory {
				t.Errorf("got the child's resident memory %d, want it above the limit %d for the test to mean anything", int64(rss), r.Memory)
			}
		})
	}
}

func TestMemoryUnderTheLimitRuns(t *testing.T) {
	for name, r := range mechanisms(t) {
		t.Run(name, func(t *testing.T) {
			r.Memory = 256 << 20
			if _, err := r.Run(context.Background(), job("hogtree", map[string]string{"mib": "40"}), &sink{}); err != nil {
				t.Fatalf("got error %v, want a tree of 80 MiB to run under 256 MiB", err)
			}
		})
	}
}

func TestChildGetsOnlyItsDescriptors(t *testing.T) {
	// An extra descriptor this process holds without close-on-exec, as a
	// server holds what the shell that started it left open.
	fd, err := unix.Open(filepath.Join(t.TempDir(), "inherited"), unix.O_CREAT|unix.O_RDWR, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	// fds returns the descriptors the child got through exec, and what
	// every one of its descriptors points to.
	fds := func() (passed []string, all string) {
		rep, err := newRunner(t).Run(context.Background(), job("fds", nil), &sink{start: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		lines := rep.Result.Variant("fds").Trials[0].Extra["fds"].([]any)
		for _, v := range lines {
			n, _, _ := strings.Cut(v.(string), " ")
			if n == "3" || !strings.HasSuffix(v.(string), " cloexec") {
				passed = append(passed, n)
			}
		}
		slices.Sort(passed)
		return passed, fmt.Sprint(lines)
	}
	if got, _ := fds(); !slices.Contains(got, fmt.Sprint(fd)) {
		t.Fatalf("got the child's descriptors %v before CloseInherited, want the inherited %d among them", got, fd)
	}
	if err := CloseInherited(); err != nil {
		t.Fatal(err)
	}
	got, all := fds()
	if want := []string{"0", "1", "2", "3"}; !slices.Equal(got, want) {
		t.Errorf("got the child's descriptors %v, want %v", got, want)
	}
	if strings.Contains(all, "inherited") {
		t.Errorf("got the parent's extra file among the child's descriptors %s, want it closed", all)
	}
}
