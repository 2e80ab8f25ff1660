package runner

import (
	"runtime"
	"slices"

	"concurrencylab/lab"
)

// CurrentEnv returns the environment of this process.
func CurrentEnv() lab.Env {
	return lab.Env{
		GoVersion:  runtime.Version(),
		OS:         runtime.GOOS,
		Arch:       runtime.GOARCH,
		NumCPU:     runtime.NumCPU(),
		GOMAXPROCS: runtime.GOMAXPROCS(0),
	}
}

// JobEnv returns the environment a job's run executed in, as the process
// that ran it sees it: the process's facts (CurrentEnv), the CPUs it may
// run on (cpus, from its affinity; nil where unknown) and whether they are
// the ones the job was pinned to.
func JobEnv(job Job, cpus []int) lab.Env {
	env := CurrentEnv()
	if cpus != nil {
		env.CPUs, env.NumCPU = cpus, len(cpus)
	}
	env.Pinned = len(job.CPUs) > 0 && slices.Equal(cpus, job.CPUs)
	env.Runner = job.Slot
	return env
}
