package datadir

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
)

func TestAcquire(t *testing.T) {
	dir := t.TempDir()
	l, err := Acquire(dir)
	if err != nil {
		t.Fatalf("Acquire: got error %v, want none", err)
	}
	// flock locks belong to open file descriptions: a second open in this
	// process conflicts just as another process would.
	_, err = Acquire(dir)
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second Acquire: got %v, want ErrLocked", err)
	}
	for _, want := range []string{dir + "/" + LockName, "by process " + strconv.Itoa(os.Getpid())} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("got %q, want it to name %q", err, want)
		}
	}
	if err := l.Release(); err != nil {
		t.Fatalf("Release: got error %v, want none", err)
	}
	l2, err := Acquire(dir)
	if err != nil {
		t.Fatalf("Acquire after Release: got error %v, want none", err)
	}
	l2.Release()
}

func TestAcquireMissingDir(t *testing.T) {
	if _, err := Acquire(t.TempDir() + "/nope"); err == nil || errors.Is(err, ErrLocked) {
		t.Errorf("got %v, want an error opening the lock file", err)
	}
}
