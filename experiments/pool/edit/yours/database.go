package yours

// A Database is the lab's: it accepts a few connections at once (the
// connections parameter) and refuses one more with "too many connections".
type Database interface {
	Connect() (Conn, error)
}

// A Conn is one connection. Query answers request r (0, 1, 2, ...) and
// takes the database's query time; Close gives the connection back.
type Conn interface {
	Query(r int) error
	Close()
}
