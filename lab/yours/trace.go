package yours

import (
	"fmt"
	"io"
	"os"
	"time"
)

// tracePipe returns the pipe a traced trial's harness writes its trace
// on (descriptor 4 in the sandbox), or nils where spec asks for none.
func tracePipe(spec Spec) (r, w *os.File, err error) {
	if spec.Trace == nil {
		return nil, nil, nil
	}
	r, w, err = os.Pipe()
	if err != nil {
		return nil, nil, fmt.Errorf("yours: trace pipe: %w", err)
	}
	return r, w, nil
}

// copyTrace copies the trace pipe r into dst until it ends.
func (p *Program) copyTrace(r *os.File, dst io.Writer) {
	if r == nil {
		return
	}
	p.traced = make(chan struct{})
	go func() {
		defer close(p.traced)
		defer r.Close()
		io.Copy(dst, r)
	}()
}

// traceAnchor returns the trace's mark on the lab's clock: anchorNs as
// the program said, where it lies within the trial, else the lab's go.
// Untraced, it returns the zero time. (Close waits for the trace itself.)
func (p *Program) traceAnchor(anchorNs int64, start time.Time, elapsed time.Duration) time.Time {
	if p.traced == nil {
		return time.Time{}
	}
	at := time.Unix(0, anchorNs)
	if at.Before(start.Round(0)) || at.After(start.Add(elapsed).Round(0)) {
		return start
	}
	return at
}

// traceDone waits, once the sandbox is gone, for the trace's copy to end,
// so that whoever reads the trace reads all of it and nothing writes it
// after.
func (p *Program) traceDone() {
	if p.traced == nil {
		return
	}
	select {
	case <-p.traced:
	case <-time.After(killWait):
	}
}
