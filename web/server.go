// Package web serves the lab over HTTP: pages, the JSON API and the
// websocket that streams a run's events.
package web

import (
	"context"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"concurrencylab/lab"
	"concurrencylab/lab/session"
)

// Server holds what the handlers share. Make one with New.
type Server struct {
	log    *slog.Logger
	runs   *lab.Manager
	static fs.FS

	// sockets is cancelled at shutdown: every websocket then says goodbye
	// and closes, which http.Server.Shutdown does not do for hijacked
	// connections.
	sockets     context.Context
	closeAll    context.CancelFunc
	socketsWait sync.WaitGroup // open run websockets; Add only under socketsMu while !socketsClosed

	socketsMu     sync.Mutex // guards socketsClosed
	socketsClosed bool       // CloseSockets has begun: no new run socket

	// pongWait overrides the websockets' pong wait (and so the ping
	// period), for tests; zero means the constants in run_events.go.
	pongWait time.Duration

	// sessions runs workshops, if UseSessions turned them on; hubs fan
	// each session's events out to its sockets.
	sessions *session.Service
	hubs     *sessionHubs

	clips ClipLibrary // video clips (clips.go), if SetClips gave some

	trusted []netip.Prefix // reverse proxies whose X-Forwarded-For is believed (client.go)

	runSockets *socketCount // caps on run websockets (socket_limits.go)

	// publicURL is the address learners use ("http://lab.example:8080"),
	// for join links and QR codes; empty: the address a request came to.
	publicURL string
	// listen is the address the server listens on, if Listening told it:
	// the console says so when no other machine can reach it.
	listen net.Addr
	// lanIPs lists this machine's addresses other machines may reach,
	// for the console to offer when it is opened at a loopback address.
	lanIPs func() []net.IP
}

// An Option sets up something of a Server that New would otherwise leave
// at its default.
type Option func(*Server)

// PublicURL makes u, an absolute http(s) URL with no path (checked by
// the caller), the address of the join links and QR codes, whatever
// address the instructor's browser used. Empty keeps the default: the
// address each request came to.
func PublicURL(u string) Option {
	return func(s *Server) { s.publicURL = strings.TrimSuffix(u, "/") }
}

// Listening tells the server the address it listens on.
func Listening(a net.Addr) Option { return func(s *Server) { s.listen = a } }

// New returns a server for the runs of m, serving static assets from static.
func New(log *slog.Logger, m *lab.Manager, static fs.FS, opts ...Option) *Server {
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{log: log, runs: m, static: static, sockets: ctx, closeAll: cancel, lanIPs: lanIPs}
	s.SetSocketLimits(SocketLimits{})
	for _, o := range opts {
		o(s)
	}
	return s
}

// CloseSockets closes every websocket with a going-away frame and waits
// for them, or for ctx. Register it with http.Server.RegisterOnShutdown.
func (s *Server) CloseSockets(ctx context.Context) {
	s.socketsMu.Lock()
	s.socketsClosed = true
	s.socketsMu.Unlock()
	s.closeAll()
	done := make(chan struct{})
	go func() { s.socketsWait.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
}

// Handler returns the server's routes, wrapped in its middleware. A
// state-changing request from another site's page is refused with 403
// (net/http's CrossOriginProtection: Sec-Fetch-Site, else Origin against
// Host); a known path asked with a method it does not answer gets 405
// with Allow.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	rs := s.routes()
	for _, r := range rs {
		h := r.handler
		if isCodeLookup(r.pattern) {
			h = s.codeLookups(h)
		}
		mux.Handle(r.pattern, h)
	}
	for path, methods := range methodsByPath(rs) {
		mux.Handle(path, methodNotAllowed(s, methods))
	}
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(s.crossSite))
	return s.recoverPanics(s.logRequests(secureHeaders(cop.Handler(mux))))
}

type route struct {
	pattern string
	handler http.Handler
}

// routes is every route the server answers, in one table.
func (s *Server) routes() []route {
	return []route{
		{"GET /{$}", http.HandlerFunc(s.catalogPage)},
		{"GET /experiments/{id}", http.HandlerFunc(s.experimentPage)},
		{"GET /runs/{id}", http.HandlerFunc(s.runPage)},
		{"GET /runs/{id}/events", http.HandlerFunc(s.runEvents)},
		{"GET /api/experiments", http.HandlerFunc(s.listExperiments)},
		{"POST /api/runs", http.HandlerFunc(s.createRun)},
		{"GET /api/runs/{id}", http.HandlerFunc(s.getRun)},
		{"POST /api/runs/{id}/cancel", http.HandlerFunc(s.cancelRun)},
		{"GET /healthz", http.HandlerFunc(s.health)},
		// Video clips of the pixels experiment (clips_*.go).
		{"GET /api/clips", http.HandlerFunc(s.listClips)},
		{"POST /api/clips", http.HandlerFunc(s.uploadClip)},
		{"GET /api/clips/{name}/poster.png", http.HandlerFunc(s.clipPoster)},
		{"GET /api/clips/{name}/frame.png", http.HandlerFunc(s.clipFrame)},
		{"GET /api/clips/{name}/mask.png", http.HandlerFunc(s.clipMask)},
		// Workshop sessions (session_*.go).
		{"POST /sessions", http.HandlerFunc(s.newSessionForm)},
		{"GET /sessions", http.HandlerFunc(s.joinByCode)},
		{"GET /sessions/{code}", http.HandlerFunc(s.joinPage)},
		{"GET /sessions/{code}/console", http.HandlerFunc(s.consolePage)},
		{"GET /sessions/{code}/board", http.HandlerFunc(s.boardPage)},
		{"GET /sessions/{code}/stage", http.HandlerFunc(s.stageFragment)},
		{"GET /sessions/{code}/qr.svg", http.HandlerFunc(s.sessionQR)},
		{"GET /sessions/{code}/events", http.HandlerFunc(s.sessionEvents)},
		{"POST /api/sessions", http.HandlerFunc(s.createSession)},
		{"GET /api/sessions/{code}", http.HandlerFunc(s.getSession)},
		{"GET /api/sessions/{code}/estimate", http.HandlerFunc(s.sessionEstimate)},
		{"POST /api/sessions/{code}/push", http.HandlerFunc(s.pushSession)},
		{"POST /api/sessions/{code}/run", http.HandlerFunc(s.roomRun)},
		{"POST /api/sessions/{code}/ask", http.HandlerFunc(s.askSession)},
		{"POST /api/sessions/{code}/predict", http.HandlerFunc(s.predictSession)},
		{"POST /api/sessions/{code}/reveal", http.HandlerFunc(s.revealSession)},
		{"POST /api/sessions/{code}/spotlight", http.HandlerFunc(s.spotlightSession)},
		{"POST /api/sessions/{code}/join", http.HandlerFunc(s.joinSession)},
		{"POST /api/sessions/{code}/runs", http.HandlerFunc(s.learnerRun)},
		{"POST /api/sessions/{code}/guess", http.HandlerFunc(s.guessSession)},
		{"GET /static/", s.staticFiles()},
		// The fallbacks answer every method: a known path with another
		// method is answered 405 by the handlers methodsByPath adds.
		{"/api/", http.HandlerFunc(s.apiNotFound)},
		{"/", http.HandlerFunc(s.pageNotFound)},
	}
}
