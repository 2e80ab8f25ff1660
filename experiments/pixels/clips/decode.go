package clips

// Decoding in a child process: the server's library hands every decode
// (probes of clips and uploads, pictures) to a Decoder, which starts a
// child of the cgo program per request, so that a file that crashes the
// decoder fails that request and not the server. The child reads one
// request as JSON on stdin and writes one answer as JSON on stdout
// (ServeDecode).

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io"
	"time"

	"gocv.io/x/gocv"

	"concurrencylab/lab/errs"
)

// DecodeMode is the value of the child-mode variable (lab/process's
// EnvMode) that makes the cgo program a decode child (ServeDecode).
const DecodeMode = "decode"

// Limits of one decode child: its deadline, and the most it may answer
// (a PNG of the largest frame the library takes, in JSON's base64).
const (
	DecodeTimeout   = 2 * time.Minute
	MaxDecodeAnswer = 64 << 20
)

// A Decoder decodes for the library, in a child process: Call sends one
// request and returns the child's answer (process.Helper.Call).
type Decoder struct {
	Call func(ctx context.Context, req []byte) ([]byte, error)
}

// SetDecoder makes l decode through d, out of this process; call it
// before the library is in use.
func (l *Library) SetDecoder(d *Decoder) { l.decoder = d }

// A Render draws a picture of a decoded frame.
type Render func(frame gocv.Mat) ([]byte, error)

// Renders returns the pictures the library draws itself: "frame" and
// "poster". The caller adds the experiment's ("mask").
func Renders() map[string]Render {
	return map[string]Render{"frame": EncodePNG, "poster": renderPoster}
}

// decodeRequest is what the server asks a decode child.
type decodeRequest struct {
	Op    string `json:"op"` // "probe" or "picture"
	Path  string `json:"path"`
	Kind  string `json:"kind,omitempty"`
	Index int    `json:"index,omitempty"`
}

// decodeAnswer is what a decode child answers: one of Probe, PNG, Error.
type decodeAnswer struct {
	Probe *Probe `json:"probe,omitempty"`
	PNG   []byte `json:"png,omitempty"`
	Error string `json:"error,omitempty"`
	// Kind is Error's lab/errs kind, where it has one.
	Kind errs.Kind `json:"kind,omitempty"`
}

// ServeDecode is a decode child's main: one request from in, decoded
// with renders, its answer to out.
func ServeDecode(ctx context.Context, in io.Reader, out io.Writer, renders map[string]Render) error {
	var req decodeRequest
	if err := json.NewDecoder(io.LimitReader(in, 64<<10)).Decode(&req); err != nil {
		return fmt.Errorf("clips: read the decode request: %w", err)
	}
	var a decodeAnswer
	var err error
	switch req.Op {
	case "probe":
		var p Probe
		if p, err = probeFile(ctx, req.Path); err == nil {
			a.Probe = &p
		}
	case "picture":
		render, ok := renders[req.Kind]
		if !ok {
			return fmt.Errorf("clips: no picture of kind %q", req.Kind)
		}
		frame := gocv.NewMat()
		defer frame.Close()
		if err = readFrameAt(ctx, req.Path, req.Index, &frame); err == nil {
			a.PNG, err = render(frame)
		}
	default:
		return fmt.Errorf("clips: no decode operation %q", req.Op)
	}
	if err != nil {
		a.Error, a.Kind = err.Error(), errs.KindOf(err)
	}
	if err := json.NewEncoder(out).Encode(a); err != nil {
		return fmt.Errorf("clips: write the decode answer: %w", err)
	}
	return nil
}

// ask sends req to a decode child and returns its answer, or the error
// it answered, or what ended the child (a crash, the memory limit, the
// deadline), told as the clip's problem.
func (d *Decoder) ask(ctx context.Context, req decodeRequest) (decodeAnswer, error) {
	data, err := json.Marshal(req)
	if err != nil {
		return decodeAnswer{}, fmt.Errorf("clips: encode the decode request: %w", err)
	}
	out, err := d.Call(ctx, data)
	switch {
	case ctx.Err() != nil:
		return decodeAnswer{}, ctx.Err()
	case err != nil:
		return decodeAnswer{}, &Problem{Kind: errs.Unprocessable,
			Msg: "the video could not be decoded: its decoder stopped (" + err.Error() + ")"}
	}
	var a decodeAnswer
	if err := json.Unmarshal(out, &a); err != nil {
		return decodeAnswer{}, &Problem{Kind: errs.Unprocessable,
			Msg: "the video could not be decoded: its decoder answered nonsense"}
	}
	if a.Error != "" {
		if a.Kind == errs.Other {
			return decodeAnswer{}, errors.New(a.Error)
		}
		return decodeAnswer{}, &Problem{Msg: a.Error, Kind: a.Kind}
	}
	return a, nil
}

// probe probes the file at path, in a decode child where l has one.
func (l *Library) probe(ctx context.Context, path string) (Probe, error) {
	if l.decoder == nil {
		return probeFile(ctx, path)
	}
	a, err := l.decoder.ask(ctx, decodeRequest{Op: "probe", Path: path})
	if err != nil {
		return Probe{}, err
	}
	if a.Probe == nil {
		return Probe{}, errors.New("clips: the decoder answered no probe")
	}
	return *a.Probe, nil
}

// renderPoster draws a frame at most PosterWidth wide.
func renderPoster(frame gocv.Mat) ([]byte, error) {
	if frame.Cols() <= PosterWidth {
		return EncodePNG(frame)
	}
	small := gocv.NewMat()
	defer small.Close()
	h := frame.Rows() * PosterWidth / frame.Cols()
	gocv.Resize(frame, &small, image.Pt(PosterWidth, max(1, h)), 0, 0, gocv.InterpolationArea)
	return EncodePNG(small)
}
