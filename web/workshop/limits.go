package workshop

// Limits on what one client may do to sessions. A client is its address
// (serve.ClientOf: an IPv6 address by its /64; behind a trusted reverse proxy,
// the address the proxy saw).
const (
	// createsPerMinute and createBurst limit new sessions (POST
	// /api/sessions, POST /sessions): 10 a minute.
	createsPerMinute = 10
	createBurst      = 10
	// joinsPerMinute and joinBurst limit joins (POST
	// /api/sessions/{code}/join, a socket with ?name=): 60 a minute, after
	// a first 400, since a whole room behind one school router is one
	// address and joins at once (the load test's 300 learners all come from
	// 127.0.0.1, and it holds). Rejoining as a known learner is no join.
	joinsPerMinute = 60
	joinBurst      = 400
)
