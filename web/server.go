// Package web serves the lab over HTTP: the catalog and experiment pages,
// the runs' JSON API and the websocket that streams a run's events.
// Optional parts of the site live in packages of their own (workshops in
// web/workshop, video clips in web/clips) that main mounts with With.
package web

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"concurrencylab/lab/runs"
	"concurrencylab/web/internal/serve"
)

// Server holds what the handlers share. Make one with New.
type Server struct {
	log    *slog.Logger
	runs   *runs.Manager
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
	// writeWait overrides serve.WriteWait for run sockets, for tests.
	writeWait time.Duration

	logs *sharedLogs // the event logs of runs with open sockets, one per run

	trusted []netip.Prefix // reverse proxies whose X-Forwarded-For is believed (serve.ClientOf)

	runSockets *socketCount // caps on run websockets (socket_limits.go)

	features []Feature // optional parts of the site, mounted by With
	routers  []Router  // experiments with routes of their own (ExperimentRoutes)

	hosts *Hosts // the Host names answered (AllowHosts); nil answers every Host

	editOff string    // why learners' own code is off ("" when on)
	codes   CodeStore // learners' files, for the runs that ran them (Codes)

	meter Meter // counts sockets and dropped messages (Metered)
}

// A Meter counts what an operator watches of the run websockets. Its
// methods must return at once.
type Meter interface {
	// SocketOpened and SocketClosed bracket a run websocket's life.
	SocketOpened()
	SocketClosed()
	// Dropped counts events a slow client did not get: progress and
	// samples a later one superseded.
	Dropped(n int)
}

// noMeter is the Meter of a server given none.
type noMeter struct{}

func (noMeter) SocketOpened() {}
func (noMeter) SocketClosed() {}
func (noMeter) Dropped(int)   {}

// Metered counts the run websockets with m.
func Metered(m Meter) Option { return func(s *Server) { s.meter = m } }

// A Feature is an optional part of the site in a package of its own
// (workshops, clips), which main mounts with With: its routes join the
// server's table, behind the same middleware.
type Feature interface {
	Routes() []serve.Route
}

// A feature that holds websockets closes them when the server does.
type socketCloser interface {
	CloseSockets(ctx context.Context)
}

// A feature that owns some runs says who may cancel them: nil lets the
// request's bearer of secret (its Authorization: Bearer key, maybe "")
// cancel run id; an error is answered with its kind's status.
type cancelGuard interface {
	MayCancel(ctx context.Context, id, secret string) error
}

// An Option sets up something of a Server that New would otherwise leave
// at its default.
type Option func(*Server)

// With mounts f, an optional part of the site.
func With(f Feature) Option { return func(s *Server) { s.features = append(s.features, f) } }

// TrustedProxies names the reverse proxies whose X-Forwarded-For is
// believed: a request from one of them counts against the address the
// proxy saw, for every per-address limit. Without them, or for a request
// from anywhere else, the header is ignored (a client could write any
// address there).
func TrustedProxies(prefixes []netip.Prefix) Option {
	return func(s *Server) { s.trusted = prefixes }
}

// EditingOff says learners' own code is off on this server, and why:
// the pages say so instead of offering the editor.
func EditingOff(why string) Option { return func(s *Server) { s.editOff = why } }

// RunSockets sets the caps on run websockets; zero fields keep the
// defaults.
func RunSockets(l SocketLimits) Option { return func(s *Server) { s.runSockets = newSocketCount(l) } }

// ParsePrefixes parses a comma-separated list of CIDR prefixes or single
// addresses (an address is its own /32 or /128), as -trusted-proxy takes.
func ParsePrefixes(list string) ([]netip.Prefix, error) { return serve.ParsePrefixes(list) }

// client is the client a per-address limit counts r against.
func (s *Server) client(r *http.Request) string { return serve.ClientOf(r, s.trusted) }

// New returns a server for the runs of m, serving static assets from static.
func New(log *slog.Logger, m *runs.Manager, static fs.FS, opts ...Option) *Server {
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{log: log, runs: m, static: static, sockets: ctx, closeAll: cancel, logs: &sharedLogs{m: make(map[string]*sharedLog)}}
	s.runSockets = newSocketCount(SocketLimits{})
	s.meter = noMeter{}
	for _, o := range opts {
		o(s)
	}
	return s
}

// CloseSockets closes every websocket, the mounted features' too, with a
// going-away frame and waits for them, or for ctx. Register it with
// http.Server.RegisterOnShutdown.
func (s *Server) CloseSockets(ctx context.Context) {
	s.socketsMu.Lock()
	s.socketsClosed = true
	s.socketsMu.Unlock()
	s.closeAll()
	done := make(chan struct{})
	go func() {
		var wg sync.WaitGroup
		for _, f := range s.features {
			if c, ok := f.(socketCloser); ok {
				wg.Go(func() { c.CloseSockets(ctx) })
			}
		}
		s.socketsWait.Wait()
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
	}
}

// Handler returns the server's routes, wrapped in its middleware. A
// state-changing request from another site's page is refused with 403
// (net/http's CrossOriginProtection: Sec-Fetch-Site, else Origin against
// Host); a known path asked with a method it does not answer gets 405
// with Allow. With AllowHosts, a request for another host gets 421;
// GET /healthz is answered before all of that.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	var rs []serve.Route
	for _, r := range s.routes() {
		rs = append(rs, serve.Route{Pattern: r.pattern, Handler: r.handler})
	}
	for _, f := range s.features {
		rs = append(rs, f.Routes()...)
	}
	rs = append(rs, s.experimentRoutes()...)
	for _, r := range rs {
		mux.Handle(r.Pattern, r.Handler)
	}
	for path, methods := range methodsByPath(rs) {
		mux.Handle(path, methodNotAllowed(s, methods))
	}
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(s.crossSite))
	h := s.recoverPanics(s.logRequests(serve.SecureHeaders(cop.Handler(mux))))
	if s.hosts != nil {
		h = s.checkHost(h)
	}
	return s.healthFirst(h)
}

type route struct {
	pattern string
	handler http.Handler
}

// routes is every route the server answers, in one table; the mounted
// features and the experiments that are Routers add theirs.
func (s *Server) routes() []route {
	return []route{
		{"GET /{$}", http.HandlerFunc(s.catalogPage)},
		{"GET /experiments/{id}", http.HandlerFunc(s.experimentPage)},
		{"GET /runs/{id}", http.HandlerFunc(s.runPage)},
		{"GET /runs/{id}/events", http.HandlerFunc(s.runEvents)},
		{"GET /runs/{id}/trace/{variant}", http.HandlerFunc(s.runTrace)},
		{"GET /api/experiments", http.HandlerFunc(s.listExperiments)},
		{"POST /api/runs", http.HandlerFunc(s.createRun)},
		{"GET /api/runs/{id}", http.HandlerFunc(s.getRun)},
		{"POST /api/runs/{id}/cancel", http.HandlerFunc(s.cancelRun)},
		{"GET /healthz", http.HandlerFunc(s.health)},
		{"GET /static/", s.staticFiles()},
		// The fallbacks answer every method: a known path with another
		// method is answered 405 by the handlers methodsByPath adds.
		{"/api/", http.HandlerFunc(s.apiNotFound)},
		{"/", http.HandlerFunc(s.pageNotFound)},
	}
}
