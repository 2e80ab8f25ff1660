package runs

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"

	"concurrencylab/lab/event"
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
func (e Event) Coalescable() bool { return event.Coalescable(e.Type) }

// encodeEvent builds the JSON object for an event with body b.
func encodeEvent(seq int64, t time.Duration, b event.Body) Event {
	body, err := json.Marshal(b)
	if err != nil {
		// Bodies are plain values; failing here is a bug.
		panic("runs: encode event: " + err.Error())
	}
	return encodeRaw(seq, t, b.Type(), b.Key(), body)
}

// encodeRaw builds the JSON object for an event whose body is already
// encoded: a compact JSON object whose fields follow seq, t and type.
func encodeRaw(seq int64, t time.Duration, typ, key string, body []byte) Event {
	data := make([]byte, 0, len(body)+48)
	data = append(data, `{"seq":`...)
	data = strconv.AppendInt(data, seq, 10)
	data = append(data, `,"t":`...)
	data = strconv.AppendFloat(data, event.Ms(t), 'f', -1, 64)
	data = append(data, `,"type":`...)
	data = strconv.AppendQuote(data, typ)
	if rest := bytes.TrimPrefix(body, []byte("{")); len(rest) > 1 {
		data = append(data, ',')
		data = append(data, rest...)
	} else {
		data = append(data, '}')
	}
	return Event{Seq: seq, Type: typ, Key: key, Data: data}
}
