package clips

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	library "concurrencylab/experiments/pixels/clips"
	"concurrencylab/lab"
	"concurrencylab/lab/errs"
	"concurrencylab/lab/runs"
	"concurrencylab/web"
	"concurrencylab/web/internal/serve"
	"concurrencylab/web/internal/webtest"
)

// fakeClips is a ClipLibrary in memory. A clip is any content starting with
// "VIDEO"; it records every name it is asked about.
type fakeClips struct {
	mu    sync.Mutex // guards the fields below
	clips map[string][]byte
	asked []string
}

func newFakeClips() *fakeClips {
	return &fakeClips{clips: map[string][]byte{"vtest.avi": []byte("VIDEO vtest")}}
}

// fakeProblem is an error the client can fix.
func fakeProblem(msg string) error { return errs.New(errs.Unprocessable, msg) }

func (f *fakeClips) List(ctx context.Context) ([]library.Info, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []library.Info
	for name, b := range f.clips {
		out = append(out, library.Info{Name: name, Frames: 795, Size: int64(len(b)), Duration: 79500 * time.Millisecond, Width: 768, Height: 576, FPS: 10})
	}
	slices.SortFunc(out, func(a, b library.Info) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

func (f *fakeClips) Add(ctx context.Context, r io.Reader, filename string) (library.Info, bool, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return library.Info{}, false, fmt.Errorf("fake: upload: %w", err)
	}
	switch {
	case bytes.HasPrefix(data, []byte("FULL")):
		return library.Info{}, false, errs.New(errs.NoSpace, "the clip library is full: it keeps at most 200 uploaded clips and 2 GiB of uploads in all")
	case bytes.HasPrefix(data, []byte("BUSY")):
		return library.Info{}, false, errs.New(errs.Unavailable, "another upload is being checked; try again")
	case !bytes.HasPrefix(data, []byte("VIDEO")):
		return library.Info{}, false, fakeProblem("not a video: OpenCV could not decode a frame")
	}
	name := fmt.Sprintf("h%d.avi", len(data))
	f.mu.Lock()
	defer f.mu.Unlock()
	_, had := f.clips[name]
	f.clips[name] = data
	return library.Info{Name: name, Frames: 3, Size: int64(len(data))}, !had, nil
}

func (f *fakeClips) picture(name string, i int) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked = append(f.asked, name)
	if _, ok := f.clips[name]; !ok {
		return nil, fmt.Errorf("no clip %q in the library: %w", name, lab.ErrNotFound)
	}
	if i >= 795 {
		return nil, fmt.Errorf("clip %s has frames 0 to 794, not %d: %w", name, i, lab.ErrNotFound)
	}
	if i == 666 { // every decoder busy for too long
		return nil, errs.New(errs.Unavailable, "the server is busy drawing other pictures")
	}
	return []byte("\x89PNG " + name), nil
}

func (f *fakeClips) Poster(ctx context.Context, name string) ([]byte, error) {
	return f.picture(name, 0)
}
func (f *fakeClips) Frame(ctx context.Context, name string, i int) ([]byte, error) {
	return f.picture(name, i)
}
func (f *fakeClips) Mask(ctx context.Context, name string, i int) ([]byte, error) {
	return f.picture(name, i)
}

func (f *fakeClips) names() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var names []string
	for n := range f.clips {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// clipServer is the site with a fake clip library mounted, on a test
// listener.
type clipServer struct {
	*httptest.Server
	srv *Server
}

func newClipServer(t *testing.T) (*clipServer, *fakeClips) {
	t.Helper()
	lib := newFakeClips()
	return newClipServerOf(t, lib), lib
}

// newClipServerOf serves lib, which may be nil: no clip library.
func newClipServerOf(t *testing.T, lib Library) *clipServer {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	m, err := runs.NewManager(context.Background(), log, runs.NewMemStore(), runs.Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := New(log, lib, Options{})
	// Most tests upload more than a client may; TestUploadClipRateLimit
	// puts the limit back.
	srv.uploads = serve.NewRateLimit("clip uploads", 1000, 1000)
	site := web.New(log, m, fstest.MapFS{}, web.With(srv))
	ts := httptest.NewServer(site.Handler())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		m.Shutdown(ctx)
		site.CloseSockets(ctx)
		ts.Close()
	})
	return &clipServer{ts, srv}
}

func (ts *clipServer) get(t testing.TB, path string) (int, string) {
	t.Helper()
	res, err := http.Get(ts.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestListClips(t *testing.T) {
	ts, _ := newClipServer(t)
	status, body := ts.get(t, "/api/clips")
	if status != http.StatusOK {
		t.Fatalf("got status %d, want 200: %s", status, body)
	}
	var out struct {
		Clips []map[string]any `json:"clips"`
		Max   int              `json:"max_upload_bytes"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"name": "vtest.avi", "frames": 795.0, "size": 11.0, "duration_s": 79.5, "width": 768.0, "height": 576.0, "fps": 10.0,
		"poster": "/api/clips/vtest.avi/poster.png", "frame": "/api/clips/vtest.avi/frame.png", "mask": "/api/clips/vtest.avi/mask.png"}
	if len(out.Clips) != 1 || fmt.Sprint(out.Clips[0]) != fmt.Sprint(want) {
		t.Errorf("got clips %v, want [%v]", out.Clips, want)
	}
	if out.Max != MaxClipBytes {
		t.Errorf("got max_upload_bytes %d, want %d", out.Max, MaxClipBytes)
	}
}

func TestClipsWithoutLibrary(t *testing.T) {
	ts := newClipServerOf(t, nil)
	for _, path := range []string{"/api/clips", "/api/clips/vtest.avi/frame.png"} {
		if status, body := ts.get(t, path); status != http.StatusNotFound || !strings.Contains(body, "no clip library") {
			t.Errorf("GET %s: got %d %s, want 404 saying there is no clip library", path, status, body)
		}
	}
}

// form builds a multipart body with one file field.
func form(t *testing.T, field, filename string, content []byte) (string, []byte) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, err := mw.CreateFormFile(field, filename)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(content)
	mw.Close()
	return mw.FormDataContentType(), b.Bytes()
}

// rawForm builds a multipart body whose file name is sent as given.
func rawForm(filename string, content []byte) (string, []byte) {
	const boundary = "XXboundaryXX"
	body := "--" + boundary + "\r\nContent-Disposition: form-data; name=\"clip\"; filename=\"" + filename +
		"\"\r\nContent-Type: video/x-msvideo\r\n\r\n" + string(content) + "\r\n--" + boundary + "--\r\n"
	return "multipart/form-data; boundary=" + boundary, []byte(body)
}

func (ts *clipServer) upload(t *testing.T, contentType string, body []byte) (int, map[string]any) {
	t.Helper()
	res, err := http.Post(ts.URL+"/api/clips", contentType, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

func TestUploadClip(t *testing.T) {
	ts, lib := newClipServer(t)
	ct, body := form(t, "clip", "my clip.avi", []byte("VIDEO new"))
	status, out := ts.upload(t, ct, body)
	if status != http.StatusCreated {
		t.Fatalf("got %d %v, want 201", status, out)
	}
	c, _ := out["clip"].(map[string]any)
	if c["name"] != "h9.avi" || c["frame"] != "/api/clips/h9.avi/frame.png" {
		t.Errorf("got clip %v, want h9.avi with its links", c)
	}
	if status, _ := ts.upload(t, ct, body); status != http.StatusOK {
		t.Errorf("the same clip again: got %d, want 200", status)
	}
	if got, want := lib.names(), []string{"h9.avi", "vtest.avi"}; !slices.Equal(got, want) {
		t.Errorf("got clips %v, want %v", got, want)
	}
}

func TestUploadClipRefusesBadInput(t *testing.T) {
	ts, lib := newClipServer(t)
	before := lib.names()
	video := []byte("VIDEO data")
	big := append([]byte("VIDEO"), bytes.Repeat([]byte{0}, MaxClipBytes)...)
	okType, okBody := form(t, "clip", "a.avi", video)
	type request struct{ contentType, body string }
	tests := []struct {
		name       string
		req        func() request
		wantStatus int
		wantMsg    string
	}{
		{"not a video", func() request {
			ct, b := form(t, "clip", "notes.avi", []byte("plain text"))
			return request{ct, string(b)}
		},
			http.StatusUnprocessableEntity, "not a video: OpenCV could not decode a frame"},
		{"over the limit", func() request { ct, b := form(t, "clip", "big.avi", big); return request{ct, string(b)} },
			http.StatusRequestEntityTooLarge, "the clip is over the 50 MiB limit"},
		{"truncated", func() request { return request{okType, string(okBody[:len(okBody)-30])} },
			http.StatusBadRequest, "the upload is truncated"},
		{"truncated inside the file", func() request { ct, b := rawForm("a.avi", big[:1000]); return request{ct, string(b[:len(b)-500])} },
			http.StatusBadRequest, "the upload is truncated"},
		{"truncated in the part's header", func() request { ct, b := rawForm("a.avi", video); return request{ct, string(b[:40])} },
			http.StatusBadRequest, "the upload is truncated"},
		{"path-like name", func() request { ct, b := rawForm("../../etc/evil.avi", video); return request{ct, string(b)} },
			http.StatusBadRequest, `the file name must be a plain name like clip.avi, got "../../etc/evil.avi"`},
		{"windows path", func() request { ct, b := rawForm(`..\\evil.avi`, video); return request{ct, string(b)} },
			http.StatusBadRequest, "the file name must be a plain name"},
		{"dot-dot name", func() request { ct, b := rawForm("..avi", video); return request{ct, string(b)} },
			http.StatusBadRequest, "the file name must be a plain name"},
		{"overlong name", func() request {
			ct, b := rawForm(strings.Repeat("a", 256)+".avi", video)
			return request{ct, string(b)}
		},
			http.StatusBadRequest, "the file name must be at most 255 bytes, got 260"},
		{"not a file", func() request {
			return request{"multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"clip\"\r\n\r\nVIDEO\r\n--b--\r\n"}
		},
			http.StatusBadRequest, `the field "clip" must be a file`},
		{"no clip field", func() request { ct, b := form(t, "video", "a.avi", video); return request{ct, string(b)} },
			http.StatusBadRequest, `the form has no field named "clip"`},
		{"json", func() request { return request{"application/json", `{"clip": "x"}`} },
			http.StatusUnsupportedMediaType, "send the clip as multipart/form-data"},
		{"no boundary", func() request { return request{"multipart/form-data", "x"} },
			http.StatusBadRequest, "the Content-Type has no multipart boundary"},
		{"malformed", func() request {
			return request{"multipart/form-data; boundary=b", "--b\r\nnonsense\r\n\r\nx\r\n--b--\r\n"}
		},
			http.StatusBadRequest, "the upload is not a well-formed form"},
		{"empty body", func() request { return request{"multipart/form-data; boundary=b", ""} },
			http.StatusBadRequest, "the upload is truncated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := tt.req()
			status, out := ts.upload(t, req.contentType, []byte(req.body))
			msg, _ := out["error"].(string)
			if status != tt.wantStatus || !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("got %d %q, want %d %q", status, msg, tt.wantStatus, tt.wantMsg)
			}
			if got := lib.names(); !slices.Equal(got, before) {
				t.Errorf("got clips %v, want %v: nothing may be left behind", got, before)
			}
		})
	}
}

// Uploads past the library's limits are refused with the library's
// message, and leave nothing behind.
func TestUploadClipLibraryLimits(t *testing.T) {
	ts, lib := newClipServer(t)
	before := lib.names()
	tests := []struct {
		content    string
		wantStatus int
		wantMsg    string
	}{
		{"FULL clip", http.StatusInsufficientStorage, "at most 200 uploaded clips and 2 GiB of uploads in all"},
		{"BUSY clip", http.StatusServiceUnavailable, "another upload is being checked; try again"},
	}
	for _, tt := range tests {
		ct, body := form(t, "clip", "a.avi", []byte(tt.content))
		status, out := ts.upload(t, ct, body)
		if msg, _ := out["error"].(string); status != tt.wantStatus || !strings.Contains(msg, tt.wantMsg) {
			t.Errorf("%s: got %d %q, want %d %q", tt.content, status, msg, tt.wantStatus, tt.wantMsg)
		}
	}
	if got := lib.names(); !slices.Equal(got, before) {
		t.Errorf("got clips %v, want %v: nothing may be left behind", got, before)
	}
}

// A client may upload 10 clips at once, then 1 a minute; another client
// is not held back.
func TestUploadClipRateLimit(t *testing.T) {
	ts, lib := newClipServer(t)
	l := serve.NewRateLimit("clip uploads", uploadsPerMinute, uploadBurst)
	var clock sync.Mutex // guards now
	now := time.Now()
	l.Now = func() time.Time { clock.Lock(); defer clock.Unlock(); return now }
	ts.srv.uploads = l
	for i := range uploadBurst {
		ct, body := form(t, "clip", "a.avi", []byte(fmt.Sprintf("VIDEO %0*d", i+1, 0)))
		if status, out := ts.upload(t, ct, body); status != http.StatusCreated {
			t.Fatalf("upload %d: got %d %v, want 201", i+1, status, out)
		}
	}
	before := lib.names()
	ct, body := form(t, "clip", "a.avi", []byte("VIDEO one too many"))
	res, err := http.Post(ts.URL+"/api/clips", ct, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var out struct{ Error string }
	json.NewDecoder(res.Body).Decode(&out)
	res.Body.Close()
	want := "too many clip uploads from your address: at most 10 at once, then 1 a minute; try again in 60 s"
	if res.StatusCode != http.StatusTooManyRequests || out.Error != want || res.Header.Get("Retry-After") != "60" {
		t.Errorf("got %d %q (Retry-After %q), want 429 %q", res.StatusCode, out.Error, res.Header.Get("Retry-After"), want)
	}
	if got := lib.names(); !slices.Equal(got, before) {
		t.Errorf("got clips %v, want %v: a refused upload must leave nothing behind", got, before)
	}
	// Another address has its own limit; a minute later, one more is allowed.
	if ok, _ := l.Take("192.0.2.1"); !ok {
		t.Error("another client was refused")
	}
	clock.Lock()
	now = now.Add(time.Minute)
	clock.Unlock()
	if status, out := ts.upload(t, ct, body); status != http.StatusCreated {
		t.Errorf("a minute later: got %d %v, want 201", status, out)
	}
}

// A body announced as too large is refused before it is read.
func TestUploadClipRefusesLargeContentLength(t *testing.T) {
	ts, _ := newClipServer(t)
	req, _ := http.NewRequest("POST", ts.URL+"/api/clips", io.LimitReader(neverEnding{}, maxClipForm+1))
	req.ContentLength = maxClipForm + 1
	req.Header.Set("Content-Type", "multipart/form-data; boundary=b")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("got %d, want 413", res.StatusCode)
	}
}

type neverEnding struct{}

func (neverEnding) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func TestClipPictures(t *testing.T) {
	ts, _ := newClipServer(t)
	for _, kind := range []string{"poster", "frame", "mask"} {
		res, err := http.Get(ts.URL + "/api/clips/vtest.avi/" + kind + ".png?i=3")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/png" || !bytes.HasPrefix(b, []byte("\x89PNG")) {
			t.Errorf("%s: got %d %s %q, want a PNG", kind, res.StatusCode, res.Header.Get("Content-Type"), b)
		}
	}
	tests := []struct {
		path       string
		wantStatus int
		wantMsg    string
	}{
		{"/api/clips/vtest.avi/frame.png?i=-1", http.StatusBadRequest, "i must be a frame number 0..1000000"},
		{"/api/clips/vtest.avi/mask.png?i=x", http.StatusBadRequest, `got "x"`},
		{"/api/clips/vtest.avi/frame.png?i=795", http.StatusNotFound, "has frames 0 to 794, not 795"},
		{"/api/clips/missing.avi/frame.png", http.StatusNotFound, `no clip "missing.avi" in the library`},
		{"/api/clips/vtest.avi/poster.gif", http.StatusNotFound, "no API endpoint"},
	}
	for _, tt := range tests {
		status, body := ts.get(t, tt.path)
		var out struct{ Error string }
		json.Unmarshal([]byte(body), &out)
		if status != tt.wantStatus || !strings.Contains(out.Error, tt.wantMsg) {
			t.Errorf("GET %s: got %d %s, want %d %q", tt.path, status, body, tt.wantStatus, tt.wantMsg)
		}
	}
}

// Names that are paths never reach the library, on any clip endpoint.
func TestClipEndpointsRefusePaths(t *testing.T) {
	ts, lib := newClipServer(t)
	for _, kind := range []string{"poster", "frame", "mask"} {
		for _, name := range []string{"..", "..%2Fetc%2Fpasswd", "%2Fetc%2Fpasswd", ".hidden", "a%5C..%5Cb",
			"..%2F..%2Fvtest.avi", "vtest.avi%00", "%2E%2E", "x%20y.avi", strings.Repeat("a", 101)} {
			path := "/api/clips/" + name + "/" + kind + ".png"
			t.Run(path, func(t *testing.T) {
				res, err := http.Get(ts.URL + path)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode == http.StatusOK || bytes.HasPrefix(b, []byte("\x89PNG")) {
					t.Errorf("got %d %q, want a refusal", res.StatusCode, b)
				}
			})
		}
	}
	lib.mu.Lock()
	defer lib.mu.Unlock()
	if len(lib.asked) != 0 {
		t.Errorf("the library was asked about %q, want no path to reach it", lib.asked)
	}
}

func TestClipErrorStatus(t *testing.T) {
	ts, _ := newClipServer(t)
	tests := []struct {
		err  error
		want int
	}{
		{fmt.Errorf("x: %w", lab.ErrNotFound), http.StatusNotFound},
		{fakeProblem("bad"), http.StatusUnprocessableEntity},
		{errors.New("disk on fire"), http.StatusInternalServerError},
	}
	for _, tt := range tests {
		rec := newRecorderWriter()
		ts.srv.clipError(rec, "test", tt.err, "2")
		if rec.status != tt.want {
			t.Errorf("clipError(%v): got %d, want %d", tt.err, rec.status, tt.want)
		}
	}
}

// recorderWriter keeps the status written to it.
type recorderWriter struct {
	http.ResponseWriter
	header http.Header
	status int
}

func newRecorderWriter() *recorderWriter { return &recorderWriter{header: http.Header{}} }

func (w *recorderWriter) Header() http.Header         { return w.header }
func (w *recorderWriter) WriteHeader(code int)        { w.status = code }
func (w *recorderWriter) Write(b []byte) (int, error) { return len(b), nil }

func TestClipPictureBusy(t *testing.T) {
	ts, _ := newClipServer(t)
	for _, path := range []string{"/api/clips/vtest.avi/frame.png?i=666", "/api/clips/vtest.avi/mask.png?i=666"} {
		status, h, body := ts.send(t, "GET", path, "")
		if status != http.StatusServiceUnavailable || h.Get("Retry-After") == "" || !strings.Contains(body, "busy") {
			t.Errorf("GET %s with every decoder busy: got %d (Retry-After %q) %s, want 503 with Retry-After", path, status, h.Get("Retry-After"), body)
		}
	}
}

// send sends one request with the given headers and returns the status,
// the response headers and the body.
func (ts *clipServer) send(t *testing.T, method, path, body string, headers ...string) (int, http.Header, string) {
	t.Helper()
	return webtest.Send(t, ts.URL, method, path, body, headers...)
}
