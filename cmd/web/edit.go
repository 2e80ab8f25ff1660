package main

import (
	"context"
	"errors"
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
// learners' files on the manager's slots and keeps them in store. Where
// any is missing, editing is off and the routes and the log say why;
// nothing a learner wrote ever runs without the sandbox.
func editing(ctx context.Context, cfg Config, log *slog.Logger, m *runs.Manager, runner *process.Runner, mem *process.Memory, exps []lab.Experiment, store code.Store, builds code.BuildCounter) (*webcode.Server, *code.Service, string) {
	trusted, _ := web.ParsePrefixes(cfg.TrustedProxy) // checked by parseFlags
	// why is what every page says; detail, with the server's paths, is
	// the operator's, in the log.
	off := func(why string, detail error) (*webcode.Server, *code.Service, string) {
		log.Warn("learners' own code is off", "why", why, "detail", detail)
		return webcode.New(log, nil, why, trusted), nil, why
	}
	if !cfg.Edit {
		return off("it is turned off (-edit=false)", nil)
	}
	if cfg.Runners == 0 {
		return off("this server executes no runs (-runners 0), and learners' code is built where it runs", nil)
	}
	sb, err := sandbox.Find()
	if err != nil {
		return off("the sandbox learners' code runs in cannot be made here (see the server's log)", err)
	}
	b, err := code.NewBuilder(ctx, filepath.Join(cfg.Data, "code", "build"), sb, mem, log)
	if errors.Is(err, code.ErrNoToolchain) {
		return off("this server has no Go toolchain to build learners' code with", err)
	}
	if err != nil {
		return off("the folder learners' code is built in cannot be prepared (see the server's log)", err)
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
