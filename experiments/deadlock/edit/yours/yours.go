package yours

// Transfer moves amount from one account to another while it holds both
// accounts' locks; the lab's goroutines call it at once, for random pairs
// of accounts. As written, it locks the account the money leaves, then
// the one it goes to: two opposite transfers can each take their first
// lock and wait for ever for the other's. Lock the lower ID first.
func Transfer(b Bank, from, to Account, amount int) {
	from.Lock()
	to.Lock()
	b.Move(from, to, amount)
	to.Unlock()
	from.Unlock()
}
