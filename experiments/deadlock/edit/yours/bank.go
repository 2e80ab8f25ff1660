package yours

// An Account is one of the lab's bank accounts, guarded by a lock of its
// own. Lock waits while another goroutine holds it; like sync.Mutex, it is
// not reentrant.
type Account interface {
	ID() int
	Lock()
	Unlock()
}

// A Bank moves money between its accounts. Move takes amount (or what
// from holds, if less) out of from and puts it into to. The caller must
// hold both accounts' locks: the bank refuses a move without them.
type Bank interface {
	Move(from, to Account, amount int)
}
