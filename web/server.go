// Package web serves the lab over HTTP: pages, the JSON API and the
// websocket that streams a run's events.
package web

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"sync"

	"concurrencylab/lab"
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
	socketsWait sync.WaitGroup // open websockets
}

// New returns a server for the runs of m, serving static assets from static.
func New(log *slog.Logger, m *lab.Manager, static fs.FS) *Server {
	ctx, cancel := context.WithCancel(context.Background())
	return &Server{log: log, runs: m, static: static, sockets: ctx, closeAll: cancel}
}

// CloseSockets closes every websocket with a going-away frame and waits
// for them, or for ctx. Register it with http.Server.RegisterOnShutdown.
func (s *Server) CloseSockets(ctx context.Context) {
	s.closeAll()
	done := make(chan struct{})
	go func() { s.socketsWait.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
}

// Handler returns the server's routes, wrapped in its middleware.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, r := range s.routes() {
		mux.Handle(r.pattern, r.handler)
	}
	return s.recoverPanics(s.logRequests(secureHeaders(mux)))
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
		{"GET /static/", s.staticFiles()},
		// The fallbacks answer GET only, so a known path with the wrong
		// method still gets the mux's 405.
		{"GET /api/", http.HandlerFunc(s.apiNotFound)},
		{"GET /", http.HandlerFunc(s.pageNotFound)},
	}
}
