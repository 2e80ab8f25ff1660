package lab

import (
	"encoding/json"
	"time"
)

// Event types, as the websocket carries them.
const (
	TypeStatus   = "status"
	TypeProgress = "progress"
	TypeSample   = "sample"
	TypeSpan     = "span"
	TypeLog      = "log"
	TypeResult   = "result"
	TypeError    = "error"
)

// An Event is one message of a run's stream. Data is the whole JSON object
// as sent: {"seq":…, "t":…, "type":…, …body fields}.
type Event struct {
	Seq  int64
	Type string
	// Key tells coalescable events apart: the variant of a progress event,
	// the series of a sample.
	Key  string
	Data json.RawMessage
}

// Coalescable reports whether a slow client may skip the event: progress
// and samples are superseded by later ones; everything else must arrive.
func (e Event) Coalescable() bool { return e.Type == TypeProgress || e.Type == TypeSample }

// encodeEvent builds the JSON object for an event with the given body.
func encodeEvent(seq int64, t time.Duration, typ string, body map[string]any) Event {
	m := make(map[string]any, len(body)+3)
	for k, v := range body {
		m[k] = v
	}
	m["seq"] = seq
	m["t"] = roundMs(t)
	m["type"] = typ
	data, err := json.Marshal(m)
	if err != nil {
		// Bodies are built by lab from plain values; failing here is a bug.
		panic("lab: encode event: " + err.Error())
	}
	key, _ := body["variant"].(string)
	if typ == TypeSample {
		key, _ = body["series"].(string)
	}
	return Event{Seq: seq, Type: typ, Key: key, Data: data}
}

// roundMs returns d in milliseconds with microsecond precision.
func roundMs(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1000
}
