package clips

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"

	"concurrencylab/lab/errs"
	"concurrencylab/web/internal/serve"
)

// uploadClip answers POST /api/clips: a multipart/form-data body whose
// field "clip" is the video file (at most MaxClipBytes). The clip is
// stored under its content hash and answered 201 with its description
// (200 if the library had it already). A bad upload gets a 4xx naming the
// problem and leaves nothing behind. Uploads are limited (see uploadsPerMinute):
// 429 past a client's rate, 507 when the library is full, 503 when another
// upload is being checked for too long.
func (s *Server) uploadClip(w http.ResponseWriter, r *http.Request) {
	if !serve.Allowed(s.log, w, r, s.uploads, s.client(r), false) {
		return
	}
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		serve.Error(w, http.StatusUnsupportedMediaType, `send the clip as multipart/form-data, in a field named "clip"`)
		return
	}
	boundary := params["boundary"]
	if boundary == "" {
		serve.Error(w, http.StatusBadRequest, "the Content-Type has no multipart boundary")
		return
	}
	if r.ContentLength > maxClipForm {
		serve.Error(w, http.StatusRequestEntityTooLarge, "the clip is "+errClipTooLarge.Error())
		return
	}
	body := &tailReader{r: http.MaxBytesReader(w, r.Body, maxClipForm)}
	mr := multipart.NewReader(body, boundary)
	for {
		part, err := mr.NextPart()
		if err != nil {
			// The multipart reader says a bare EOF both at the form's end
			// and when the body stops inside a part's header.
			ended := body.saw("--" + boundary + "--")
			status, msg := uploadProblem(err)
			switch {
			case err == io.EOF && ended:
				status, msg = http.StatusBadRequest, `the form has no field named "clip" with a file`
			case !ended && status != http.StatusRequestEntityTooLarge:
				status, msg = uploadProblem(io.ErrUnexpectedEOF)
			case status == 0:
				status, msg = http.StatusBadRequest, fmt.Sprintf("the upload is not a well-formed form: %v", err)
			}
			serve.Error(w, status, msg)
			return
		}
		if part.FormName() != "clip" {
			part.Close()
			continue
		}
		filename, err := uploadName(part)
		if err != nil {
			serve.Error(w, http.StatusBadRequest, err.Error())
			return
		}
		info, created, err := s.lib.Add(r.Context(), &limitedReader{r: part, n: MaxClipBytes}, filename)
		if err != nil {
			if status, msg := uploadProblem(err); status != 0 && serve.StatusOf(err) == http.StatusInternalServerError {
				serve.Error(w, status, msg) // the upload's reading failed, not the library
				return
			}
			s.clipError(w, "add", err, "10")
			return
		}
		status := http.StatusOK
		if created {
			status = http.StatusCreated
		}
		c := toClipJSON(info)
		w.Header().Set("Location", c.Frame)
		serve.JSON(w, status, map[string]any{"clip": c})
		return
	}
}

// maxUploadName is the longest file name an upload may give, as most file
// systems allow.
const maxUploadName = 255

// uploadName returns the file name the client gave the upload, refusing
// one that looks like a path. (Part.FileName would quietly keep only its
// last element.)
func uploadName(part *multipart.Part) (string, error) {
	_, params, err := mime.ParseMediaType(part.Header.Get("Content-Disposition"))
	name := params["filename"]
	switch {
	case err != nil || name == "":
		return "", errors.New(`the field "clip" must be a file`)
	case strings.ContainsAny(name, `/\`+"\x00") || strings.HasPrefix(name, ".."):
		return "", fmt.Errorf("the file name must be a plain name like clip.avi, got %q", errs.Truncate(name, serve.MaxQuoted))
	case len(name) > maxUploadName:
		return "", fmt.Errorf("the file name must be at most %d bytes, got %d", maxUploadName, len(name))
	}
	return name, nil
}

// uploadProblem maps an error reading the upload to a status and message,
// or 0 if the error is not the upload's.
func uploadProblem(err error) (int, string) {
	var tooBig *http.MaxBytesError
	switch {
	case errors.Is(err, errClipTooLarge), errors.As(err, &tooBig):
		return http.StatusRequestEntityTooLarge, "the clip is " + errClipTooLarge.Error()
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return http.StatusBadRequest, "the upload is truncated: the body ended before the form did"
	}
	return 0, ""
}

// tailReader remembers the last bytes read through it, to tell a form
// that ended from one that was cut off.
type tailReader struct {
	r    io.Reader
	tail []byte
}

// tailSize covers the closing delimiter: a boundary is at most 70 bytes.
const tailSize = 256

func (t *tailReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	t.tail = append(t.tail, p[:n]...)
	if len(t.tail) > 2*tailSize {
		t.tail = append(t.tail[:0], t.tail[len(t.tail)-tailSize:]...)
	}
	return n, err
}

// saw reports whether the last bytes read hold s.
func (t *tailReader) saw(s string) bool { return strings.Contains(string(t.tail), s) }

// limitedReader reads at most n bytes from r and fails with
// errClipTooLarge if there are more.
type limitedReader struct {
	r io.Reader
	n int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n < 0 {
		return 0, errClipTooLarge
	}
	if int64(len(p)) > l.n+1 {
		p = p[:l.n+1]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	if l.n < 0 {
		return n, errClipTooLarge
	}
	return n, err
}
