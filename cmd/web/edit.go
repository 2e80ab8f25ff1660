package main

import (
	"context"
	"log/slog"
	"path/filepath"

	"concurrencylab/lab"
	"concurrencylab/lab/code"
	"concurrencylab/lab/process"
	"concurrencylab/lab/runs"
	"concurrencylab/lab/sandbox"
	"concurrencylab/web"
	webcode "concurrencylab/web/code"
)

// editing sets up learners' own variants: a sandbox, a Go toolchain, a
// builder in <data>/code/build and the service that checks and builds
// learners' files on the manager's slots and keeps them in store. Where any is missing, editing
// is off and the routes and the log say why; nothing a learner wrote ever
// runs without the sandbox.
func editing(ctx context.Context, cfg Config, log *slog.Logger, m *runs.Manager, runner *process.Runner, mem *process.Memory, exps []lab.Experiment, store code.Store, builds code.BuildCounter) (*webcode.Server, *code.Service, string) {
	trusted, _ := web.ParsePrefixes(cfg.TrustedProxy) // checked by parseFlags
	off := func(why string) (*webcode.Server, *code.Service, string) {
		log.Warn("learners' own code is off", "why", why)
		return webcode.New(log, nil, why, trusted), nil, why
	}
	if !cfg.Edit {
		return off("-edit=false")
	}
	sb, err := sandbox.Find()
	if err != nil {
		return off(err.Error())
	}
	b, err := code.NewBuilder(ctx, filepath.Join(cfg.Data, "code", "build"), sb, mem, log)
	if err != nil {
		return off(err.Error())
	}
	svc := code.NewService(b, store, m, exps)
	svc.Builds = builds
	runner.Prepare = svc.Prepare
	go func() {
		if err := svc.Warm(ctx); err != nil && ctx.Err() == nil {
			log.Warn("warm the learners' build cache", "err", err)
		}
	}()
	log.Info("learners' own code is on", "go", b.Version(), "sandbox_user", sb.User(), "editable", svc.Editable())
	return webcode.New(log, svc, "", trusted), svc, ""
}
