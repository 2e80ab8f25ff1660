package workshop

// What a room's hub sends: the snapshot a new client gets, and the
// messages of the room's state, roster and board, each encoded once.

import (
	"encoding/json"

	"github.com/gorilla/websocket"

	"concurrencylab/lab/session"
)

// snapshot sends a new client where the room is: its welcome, the
// roster, then every part of the state. The state and the board are
// prepared once and shared by every client that arrives before the room
// changes: a thousand pages opening at once hold one copy of the board.
func (h *hub) snapshot(c *client) {
	roster := h.rosterMessage()
	if c.learner {
		roster = h.rosterCounts()
	}
	if h.snap == nil {
		for _, m := range h.snapshotMessages() {
			h.snap = append(h.snap, prepare(m))
		}
	}
	for _, m := range append([]out{prepare(c.welcome), prepare(roster)}, h.snap...) {
		if !c.enqueue(m) {
			h.drop(c)
			return
		}
	}
}

// prepare makes a message ready to send to any number of clients.
func prepare(data []byte) out {
	pm, err := websocket.NewPreparedMessage(websocket.TextMessage, data)
	if err != nil {
		panic("web: prepare a session message: " + err.Error()) // a text message cannot fail
	}
	return out{pm, int64(len(data))}
}

// snapshotMessages are the state and the board, as a new client gets them.
func (h *hub) snapshotMessages() [][]byte {
	out := make([][]byte, 0, 6)
	for _, typ := range []string{session.EventPush, session.EventRun, session.EventAsk, session.EventPrediction, session.EventSpotlight, session.EventEnded} {
		out = append(out, h.stateMessage(typ))
	}
	return append(out, h.boardMessage(nil))
}

// stateMessage is {"type": typ, typ: <the view's value or null>}.
func (h *hub) stateMessage(typ string) []byte {
	var v any
	switch typ {
	case session.EventPush:
		v = h.view.Push
	case session.EventRun:
		v = h.view.Run
	case session.EventAsk:
		v = h.view.Ask
	case session.EventPrediction:
		v = h.view.Prediction
	case session.EventSpotlight:
		v = h.view.Spotlight
	case session.EventEnded:
		v = h.view.Ended
	}
	return mustJSON(map[string]any{"type": typ, typ: v})
}

// rosterMessage is {"type": "roster", "learners": [...], "connected": n,
// "joined": m}.
func (h *hub) rosterMessage() []byte {
	return mustJSON(map[string]any{"type": "roster", "learners": h.view.Learners, "connected": h.view.Connected, "joined": len(h.view.Learners)})
}

// rosterCounts is the roster as learners' pages get it, without names:
// {"type": "roster", "connected": n, "joined": m}.
func (h *hub) rosterCounts() []byte {
	return mustJSON(map[string]any{"type": "roster", "connected": h.view.Connected, "joined": len(h.view.Learners)})
}

// boardMessage is {"type": "board", "full": bool, "entries": [...]}: every
// entry if runs is nil (full), else the entries of those runs.
func (h *hub) boardMessage(runs map[string]bool) []byte {
	entries := make([]session.Entry, 0, len(runs))
	for _, e := range h.view.Board {
		if runs == nil || runs[e.Run] {
			entries = append(entries, e)
		}
	}
	return mustJSON(map[string]any{"type": "board", "full": runs == nil, "entries": entries})
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("web: encode session message: " + err.Error()) // plain values: a bug
	}
	return b
}
