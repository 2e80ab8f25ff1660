package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"

	"concurrencylab/experiments/pixels"
	"concurrencylab/experiments/pixels/clips"
	"concurrencylab/lab/process"
)

// isDecodeChild reports whether this process was started as a decode
// child of the server (clips.ServeDecode).
func isDecodeChild(getenv func(string) string) bool {
	return getenv(process.EnvMode) == clips.DecodeMode
}

// decodeChild is main in a decode child: one request from stdin, its
// answer on stdout.
func decodeChild(in io.Reader) int {
	renders := clips.Renders()
	renders["mask"] = pixels.RenderMask
	if err := clips.ServeDecode(context.Background(), in, os.Stdout, renders); err != nil {
		fmt.Fprintln(os.Stderr, "decode:", err)
		return 2
	}
	return 0
}

// memoryLimit picks how runs' and decoders' memory is limited, and says
// which.
func memoryLimit(log *slog.Logger) *process.Memory {
	m, why := process.DetectMemory()
	if why != "" {
		log.Info("memory limits", "mechanism", m.Mechanism(), "why_not_cgroups", why)
	} else {
		log.Info("memory limits", "mechanism", m.Mechanism())
	}
	return m
}

// openClips opens the clip library, links the sample videos in, and has
// it decode in children of this binary, under the runs' memory limit.
func openClips(cfg Config, mem *process.Memory, log *slog.Logger) (*clips.Library, error) {
	lib, err := clips.Open(cfg.Clips)
	if err != nil {
		return nil, err
	}
	if n, err := lib.Seed(clips.SampleDir, clips.Samples()...); err != nil {
		log.Warn("seed the clip library", "err", err)
	} else if n > 0 {
		log.Info("linked opencv-doc's sample videos into the clip library", "clips", cfg.Clips, "linked", n)
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find this program to decode clips with: %w", err)
	}
	h := &process.Helper{Path: exe, Mode: clips.DecodeMode, Memory: cfg.RunMemory, Limit: mem,
		Timeout: clips.DecodeTimeout, MaxAnswer: clips.MaxDecodeAnswer}
	lib.SetDecoder(&clips.Decoder{Call: h.Call})
	return lib, nil
}
