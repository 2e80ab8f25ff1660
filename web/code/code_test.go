package code

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"concurrencylab/lab"
	"concurrencylab/lab/code"
	"concurrencylab/lab/errs"
	"concurrencylab/web/internal/webtest"
)

// fakeChecker answers as code.Service does, by what the file says.
type fakeChecker struct{ clients []string }

func (f *fakeChecker) Check(_ context.Context, experiment, src, client string) (code.Source, error) {
	f.clients = append(f.clients, client)
	switch {
	case experiment != "race":
		return code.Source{}, fmt.Errorf("%w: experiment %q has no variant of your own", errs.Invalid, experiment)
	case strings.Contains(src, "syntax"):
		return code.Source{}, &code.ProblemsError{Msg: "the lab refuses this file: line 3:1: expected '}'", Problems: []code.Problem{{Line: 3, Col: 1, Msg: "expected '}'"}}}
	case strings.Contains(src, "busy"):
		return code.Source{}, fmt.Errorf("%w: a build of yours is still under way", code.ErrBusy)
	case strings.Contains(src, "broken"):
		return code.Source{}, fmt.Errorf("disk on fire")
	}
	return code.Source{ID: code.ID(experiment, src), Experiment: experiment, Code: src}, nil
}

func (f *fakeChecker) Source(_ context.Context, id string) (code.Source, error) {
	if !lab.IsCodeID(id) {
		return code.Source{}, fmt.Errorf("%w: a code id is 20 hexadecimal digits", errs.Invalid)
	}
	return code.Source{}, fmt.Errorf("no code %s: %w", id, lab.ErrNotFound)
}

func serveRoutes(t *testing.T, s *Server) string {
	mux := http.NewServeMux()
	for _, r := range s.Routes() {
		mux.Handle(r.Pattern, r.Handler)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestRoutes(t *testing.T) {
	on := serveRoutes(t, New(slog.New(slog.DiscardHandler), &fakeChecker{}, "", nil))
	off := serveRoutes(t, New(slog.New(slog.DiscardHandler), nil, "bubblewrap is not installed", nil))
	good := code.ID("race", "package yours")
	tests := []struct {
		name, base, method, path, body string
		status                         int
		want                           string
	}{
		{"checked", on, "POST", "/api/code", `{"experiment": "race", "code": "package yours"}`, 201, `{"id":"` + good + `","vet":[]}`},
		{"problems", on, "POST", "/api/code", `{"experiment": "race", "code": "syntax"}`, 422, `"problems":[{"line":3,"col":1,"msg":"expected '}'"}]`},
		{"not editable", on, "POST", "/api/code", `{"experiment": "primes", "code": "x"}`, 400, `has no variant of your own`},
		{"busy", on, "POST", "/api/code", `{"experiment": "race", "code": "busy"}`, 429, `still under way`},
		{"broken", on, "POST", "/api/code", `{"experiment": "race", "code": "broken"}`, 500, `could not build your code`},
		{"no experiment", on, "POST", "/api/code", `{"code": "x"}`, 400, `experiment is missing`},
		{"not JSON", on, "POST", "/api/code", `{"experiment":`, 400, `not the JSON expected`},
		{"too big", on, "POST", "/api/code", `{"experiment": "race", "code": "` + strings.Repeat("x", maxBody) + `"}`, 413, `your code may be at most 65536 bytes`},
		{"unknown id", on, "GET", "/api/code/" + strings.Repeat("a", 20), "", 404, `no code aaaa`},
		{"bad id", on, "GET", "/api/code/x", "", 400, `20 hexadecimal digits`},
		{"off", off, "POST", "/api/code", `{"experiment": "race", "code": "x"}`, 503, `editing is off on this server: bubblewrap is not installed`},
		{"format", on, "POST", "/api/format", `{"code": "package yours\nfunc  Count( ) {x:=1}"}`, 200, `{"code":"package yours\n\nfunc Count() { x := 1 }\n"}`},
		{"format problems", on, "POST", "/api/format", `{"code": "package yours\nfunc {"}`, 422, `"problems":[{"line":2,"col":6,`},
		{"format too big", on, "POST", "/api/format", `{"code": "` + strings.Repeat("x", maxBody) + `"}`, 413, `at most 65536 bytes`},
		{"format off", off, "POST", "/api/format", `{"code": "package yours\nvar  x=1"}`, 200, `{"code":"package yours\n\nvar x = 1\n"}`},
		{"off source", off, "GET", "/api/code/" + good, "", 503, `editing is off`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var headers []string
			if tt.body != "" {
				headers = []string{"Content-Type", "application/json"}
			}
			status, _, body := webtest.Send(t, tt.base, tt.method, tt.path, tt.body, headers...)
			if status != tt.status || !strings.Contains(body, tt.want) {
				t.Errorf("got %d %s, want %d with %s", status, body, tt.status, tt.want)
			}
		})
	}
}
