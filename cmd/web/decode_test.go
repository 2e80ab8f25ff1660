package main

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"concurrencylab/experiments/pixels/clips"
)

// crashMark starts a file that the decode child of this test binary
// crashes on, as a decoder would on a crafted video.
const crashMark = "CRASH THE DECODER"

// decodeChildCrashing is the decode child of the servers under test: the
// real one (decodeChild), except that it aborts, as a decoder that fell
// over would, on a file that starts with crashMark.
func decodeChildCrashing() int {
	req, err := io.ReadAll(io.LimitReader(os.Stdin, 64<<10))
	if err != nil {
		return 2
	}
	var r struct{ Path string }
	json.Unmarshal(req, &r)
	if head, err := os.ReadFile(r.Path); err == nil && bytes.HasPrefix(head, []byte(crashMark)) {
		syscall.Kill(os.Getpid(), syscall.SIGABRT)
		select {}
	}
	return decodeChild(bytes.NewReader(req))
}

func TestDecoderCrashFailsOnlyItsRequest(t *testing.T) {
	dir := t.TempDir()
	clipsDir := filepath.Join(dir, "clips")
	if err := os.MkdirAll(clipsDir, 0o755); err != nil {
		t.Fatal(err)
	}
	// A clip already in the library that crashes the decoder when its
	// picture is drawn.
	if err := os.WriteFile(filepath.Join(clipsDir, "crafted.avi"), []byte(crashMark+" and then some"), 0o644); err != nil {
		t.Fatal(err)
	}
	base, stop := startServer(t, dir)
	defer stop()

	upload := func(name string, content []byte) (int, string) {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		fw, _ := mw.CreateFormFile("clip", name)
		fw.Write(content)
		mw.Close()
		res, err := http.Post(base+"/api/clips", mw.FormDataContentType(), &b)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(body)
	}
	get := func(path string) (int, string) {
		res, err := http.Get(base + path)
		if err != nil {
			t.Fatalf("GET %s: %v: the server went down", path, err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(body)
	}
	healthy := func(after string) {
		t.Helper()
		if code, _ := get("/healthz"); code != http.StatusOK {
			t.Fatalf("got /healthz %d after %s, want 200", code, after)
		}
	}

	code, body := upload("crafted.avi", []byte(crashMark+" in an upload"))
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "decoder stopped") {
		t.Errorf("got upload %d %s, want 422 saying the decoder stopped", code, body)
	}
	healthy("an upload crashed the decoder")
	code, body = get("/api/clips/crafted.avi/poster.png")
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "decoder stopped") {
		t.Errorf("got poster %d %s, want 422 saying the decoder stopped", code, body)
	}
	healthy("a picture crashed the decoder")

	// The next requests are served as ever.
	video, err := os.ReadFile(filepath.Join(clips.SampleDir, "tree.avi"))
	if err != nil {
		t.Fatal(err)
	}
	if code, body := upload("tree.avi", video); code != http.StatusCreated && code != http.StatusOK {
		t.Errorf("got upload of a real video %d %s, want it stored", code, body)
	}
	if code, body := get("/api/clips/vtest.avi/mask.png?i=3"); code != http.StatusOK || !strings.HasPrefix(body, "\x89PNG") {
		t.Errorf("got mask %d (%.40q), want a PNG", code, body)
	}
}
