package process

import (
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// CloseInherited marks every descriptor above 2 that this process holds
// close-on-exec, so that a child gets only the descriptors it is given
// (0, 1, 2 and the events pipe). The server calls it first thing: what it
// inherited from whoever started it (a shell's pipe, /dev/null) would
// otherwise pass into every child. Go opens its own files close-on-exec
// already, and exec.Cmd hands a child its ExtraFiles without the flag.
func CloseInherited() error {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return fmt.Errorf("process: list inherited descriptors: %w", err)
	}
	for _, e := range ents {
		fd, err := strconv.Atoi(e.Name())
		if err != nil || fd <= 2 {
			continue
		}
		// The listing's own descriptor is closed by now: EBADF is fine.
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_SETFD, unix.FD_CLOEXEC); err != nil && err != unix.EBADF {
			return fmt.Errorf("process: mark descriptor %d close-on-exec: %w", fd, err)
		}
	}
	return nil
}
