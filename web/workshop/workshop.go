// Package workshop serves workshop sessions over HTTP: the instructor's
// console and actions, the learners' join page and actions, the class
// board, the room's websocket and its hub, the QR code and the limits on
// a room's clients. It is the HTTP side of lab/session, split as that
// package splits it (instructor.go, learner.go), and main mounts it into
// the site with web.With.
package workshop

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"

	"github.com/a-h/templ"

	"concurrencylab/lab"
	"concurrencylab/lab/runs"
	"concurrencylab/lab/session"
	"concurrencylab/web/internal/serve"
	"concurrencylab/web/templates"
)

// maxQuoted is the most bytes of user input quoted in a message.
const maxQuoted = serve.MaxQuoted

// Options set up a Server; the zero value serves with the defaults.
type Options struct {
	// PublicURL, an absolute http(s) URL with no path (checked by the
	// caller), is the address of the join links and QR codes, whatever
	// address the instructor's browser used. Empty: the address each
	// request came to.
	PublicURL string
	// Listen is the address the server listens on: the console says so
	// when no other machine can reach it.
	Listen net.Addr
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed for the per-address limits (as web.TrustedProxies).
	TrustedProxies []netip.Prefix
	// ExperimentView builds the part of a page that shows an experiment
	// with its form holding values: the site's own (web.Server's
	// ExperimentView), so a pushed experiment looks as on its page.
	ExperimentView func(info lab.Info, values map[string]string, nonce string) templates.ExperimentPage
	// EditOff says why learners' own code is off on this server ("" where
	// it is on): a push cannot open the editor then.
	EditOff string
}

// Server serves the sessions of a session.Service. Make one with New and
// mount it with web.With.
type Server struct {
	log      *slog.Logger
	sessions *session.Service
	runs     *runs.Manager
	hubs     *sessionHubs // one hub per session with open sockets

	// sockets is cancelled by CloseSockets: every session socket then
	// says goodbye and closes.
	sockets  context.Context
	closeAll context.CancelFunc
	closed   chan struct{} // closed once every socket and hub is gone, after CloseSockets

	experimentView func(info lab.Info, values map[string]string, nonce string) templates.ExperimentPage
	editOff        string
	trusted        []netip.Prefix

	// publicURL is the address learners use ("http://lab.example:8080"),
	// for join links and QR codes; empty: the address a request came to.
	publicURL string
	// listen is the address the server listens on, if known: the console
	// says so when no other machine can reach it.
	listen net.Addr
	// lanIPs lists this machine's addresses other machines may reach,
	// for the console to offer when it is opened at a loopback address.
	lanIPs func() []net.IP
}

// New returns a Server for the sessions of svc, whose runs m executes.
func New(log *slog.Logger, svc *session.Service, m *runs.Manager, o Options) *Server {
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		log: log, sessions: svc, runs: m, sockets: ctx, closeAll: cancel, closed: make(chan struct{}),
		experimentView: o.ExperimentView, editOff: o.EditOff, trusted: o.TrustedProxies,
		publicURL: strings.TrimSuffix(o.PublicURL, "/"), listen: o.Listen, lanIPs: lanIPs,
		hubs: &sessionHubs{
			m:               make(map[string]*hub),
			creates:         serve.NewRateLimit("new sessions", createsPerMinute, createBurst),
			joins:           serve.NewRateLimit("joins", joinsPerMinute, joinBurst),
			lookups:         serve.NewRateLimit("lookups of unknown room codes", lookupsPerMinute, lookupBurst),
			watchersPerAddr: watchersPerAddr,
			joinedFrom:      make(map[string]int),
		},
	}
	if s.experimentView == nil {
		s.experimentView = func(info lab.Info, _ map[string]string, nonce string) templates.ExperimentPage {
			return templates.ExperimentPage{Page: templates.Page{Title: info.Title, Nonce: nonce}, ID: info.ID, Title: info.Title}
		}
	}
	// The sockets and hubs count in hubs.wg: they Add to it under hubs.mu
	// unless closing, and closing is set under hubs.mu before hubs.wg.Wait,
	// so no Add races the Wait.
	context.AfterFunc(ctx, func() {
		defer close(s.closed)
		s.hubs.mu.Lock()
		s.hubs.closing = true
		s.hubs.mu.Unlock()
		s.hubs.wg.Wait()
	})
	return s
}

type route struct {
	pattern string
	handler http.HandlerFunc
}

// Routes is every route of workshops, in one table. Those that look a
// session up by its room code go through the limit on unknown codes.
func (s *Server) Routes() []serve.Route {
	rs := []route{
		// Pages.
		{"POST /sessions", s.newSessionForm},
		{"GET /sessions", s.joinByCode},
		{"GET /sessions/{code}", s.joinPage},
		{"GET /sessions/{code}/console", s.consolePage},
		{"GET /sessions/{code}/board", s.boardPage},
		{"GET /sessions/{code}/stage", s.stageFragment},
		{"GET /sessions/{code}/qr.svg", s.sessionQR},
		{"GET /sessions/{code}/events", s.sessionEvents},
		// Anyone's (api.go).
		{"POST /api/sessions", s.createSession},
		{"GET /api/sessions/{code}", s.getSession},
		{"GET /api/sessions/{code}/estimate", s.sessionEstimate},
		// The instructor's, with the key (instructor.go).
		{"POST /api/sessions/{code}/push", s.pushSession},
		{"POST /api/sessions/{code}/run", s.roomRun},
		{"POST /api/sessions/{code}/ask", s.askSession},
		{"POST /api/sessions/{code}/predict", s.predictSession},
		{"POST /api/sessions/{code}/reveal", s.revealSession},
		{"POST /api/sessions/{code}/spotlight", s.spotlightSession},
		{"POST /api/sessions/{code}/remove", s.removeLearner},
		{"POST /api/sessions/{code}/end", s.endSession},
		// The learners', with their token (learner.go).
		{"POST /api/sessions/{code}/join", s.joinSession},
		{"POST /api/sessions/{code}/runs", s.learnerRun},
		{"POST /api/sessions/{code}/guess", s.guessSession},
	}
	out := make([]serve.Route, len(rs))
	for i, r := range rs {
		var h http.Handler = r.handler
		if isCodeLookup(r.pattern) {
			h = s.codeLookups(h)
		}
		out[i] = serve.Route{Pattern: r.pattern, Handler: h}
	}
	return out
}

// CloseSockets closes every session socket with a going-away frame and
// waits for them and the hubs, or for ctx.
func (s *Server) CloseSockets(ctx context.Context) {
	s.closeAll()
	select {
	case <-s.closed:
	case <-ctx.Done():
	}
}

// MayCancel reports whether secret (an instructor key or a learner's
// token, sent as Authorization: Bearer) lets its bearer cancel run id: a
// session's room run or spotlit run needs its key, a learner's own run
// the key or that learner's token; runs of no session are anyone's. A
// refusal is a *session.CancelError, of kind errs.Forbidden.
func (s *Server) MayCancel(ctx context.Context, id, secret string) error {
	return s.sessions.MayCancel(ctx, id, secret)
}

// client is the client a per-address limit counts r against.
func (s *Server) client(r *http.Request) string { return serve.ClientOf(r, s.trusted) }

// allowed spends a token of the request's client from l, or answers 429
// and returns false.
func (s *Server) allowed(w http.ResponseWriter, r *http.Request, l *serve.RateLimit, page bool) bool {
	return serve.Allowed(s.log, w, r, l, s.client(r), page)
}

// render writes a page with the given status.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	serve.Render(s.log, w, r, status, c)
}

// pageError renders the error page with the given status.
func (s *Server) pageError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	serve.PageError(s.log, w, r, status, msg)
}

// experimentIDs lists the server's experiments, for a message.
func (s *Server) experimentIDs() string {
	var ids []string
	for _, e := range s.runs.Experiments() {
		ids = append(ids, e.Info().ID)
	}
	return strings.Join(ids, ", ")
}

// retryAfter tells a client refused for a full queue when to try again:
// when the first running run is expected to finish.
func (s *Server) retryAfter(w http.ResponseWriter) {
	w.Header().Set("Retry-After", strconv.Itoa(int(s.runs.RetryAfter().Seconds())))
}
