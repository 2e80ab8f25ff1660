package sandbox

import (
	"encoding/binary"
	"fmt"
	"os"
	"sync"

	seccomp "github.com/elastic/go-seccomp-bpf"
	"golang.org/x/net/bpf"
)

// refused are the system calls a sandboxed program gets EPERM for: none
// of them is needed to count, build or vet, and each is a way out of the
// run's bounds (its CPUs: sched_setaffinity) or a piece of the kernel that
// namespace escapes have come through.
var refused = []string{
	"sched_setaffinity",
	"ptrace", "process_vm_readv", "process_vm_writev",
	"io_uring_setup", "io_uring_enter", "io_uring_register",
	"keyctl", "add_key", "request_key",
	"bpf", "userfaultfd", "perf_event_open",
	"kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
	"mount", "umount2", "pivot_root", "chroot", "unshare", "setns",
	"open_by_handle_at", "name_to_handle_at", "fanotify_init",
	"open_tree", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick",
	"swapon", "swapoff", "reboot", "acct", "quotactl", "syslog",
	"settimeofday", "clock_settime", "adjtimex", "clock_adjtime",
}

// filter is the compiled seccomp program, as bwrap's --seccomp reads it.
var filter = sync.OnceValues(func() ([]byte, error) {
	p := seccomp.Policy{DefaultAction: seccomp.ActionAllow,
		Syscalls: []seccomp.SyscallGroup{{Action: seccomp.ActionErrno, Names: refused}}}
	insns, err := p.Assemble()
	if err != nil {
		return nil, fmt.Errorf("sandbox: seccomp filter: %w", err)
	}
	raw, err := bpf.Assemble(insns)
	if err != nil {
		return nil, fmt.Errorf("sandbox: seccomp filter: %w", err)
	}
	b := make([]byte, 0, 8*len(raw))
	for _, r := range raw { // struct sock_filter, in the machine's byte order
		b = binary.NativeEndian.AppendUint16(b, r.Op)
		b = append(b, r.Jt, r.Jf)
		b = binary.NativeEndian.AppendUint32(b, r.K)
	}
	return b, nil
})

// filterFile returns a pipe's read end holding the filter, for --seccomp.
func filterFile() (*os.File, error) {
	b, err := filter()
	if err != nil {
		return nil, err
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	defer w.Close()
	if _, err := w.Write(b); err != nil { // a few KiB: the pipe holds it
		r.Close()
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	return r, nil
}
