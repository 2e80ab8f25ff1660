package serve

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"

	"concurrencylab/lab/errs"
)

// MaxBodyBytes bounds a request body; larger ones get 413.
const MaxBodyBytes = 64 << 10

// DecodeJSON reads one JSON object from a bounded body into v, a pointer
// to a struct. The body must be sent as application/json (415 otherwise:
// a form or a text/plain body from another site's page is refused), and
// its member names must be v's exactly: encoding/json would also take
// "Experiment" for "experiment". It returns the status and a message
// naming what was wrong.
func DecodeJSON(w http.ResponseWriter, r *http.Request, v any) (int, error) {
	return DecodeJSONUpTo(w, r, v, MaxBodyBytes)
}

// DecodeJSONUpTo is DecodeJSON with a body of at most limit bytes.
func DecodeJSONUpTo(w http.ResponseWriter, r *http.Request, v any, limit int64) (int, error) {
	ct := r.Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
		if ct == "" {
			ct = "none"
		}
		return http.StatusUnsupportedMediaType, fmt.Errorf("the body must be JSON sent with Content-Type: application/json, got %s", errs.Truncate(ct, MaxQuoted))
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return http.StatusRequestEntityTooLarge, fmt.Errorf("the body is over the limit of %d bytes", limit)
		}
		return http.StatusBadRequest, fmt.Errorf("reading the body: %v", err)
	}
	if err := DecodeStrict(body, v); err != nil {
		return http.StatusBadRequest, err
	}
	return 0, nil
}

// DecodeStrict decodes one JSON object into v, refusing unknown members,
// members whose names differ from v's fields only in case, and trailing
// values.
func DecodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("the body is not the JSON expected: %v", err)
	}
	if dec.More() {
		return errors.New("the body has more than one JSON value")
	}
	var members map[string]json.RawMessage
	if json.Unmarshal(body, &members) != nil {
		return nil // not an object (null): nothing was set by name
	}
	names := fieldNames(reflect.TypeOf(v))
	for name := range members {
		if _, ok := names[name]; ok {
			continue
		}
		for known := range names {
			if strings.EqualFold(known, name) {
				return fmt.Errorf("the body is not the JSON expected: unknown field %q (names are case-sensitive: %q)", errs.Truncate(name, MaxQuoted), known)
			}
		}
		return fmt.Errorf("the body is not the JSON expected: unknown field %q", errs.Truncate(name, MaxQuoted))
	}
	return nil
}

// fieldNames returns the JSON member names of struct type t (or a pointer
// to one), embedded structs' included.
func fieldNames(t reflect.Type) map[string]struct{} {
	names := make(map[string]struct{})
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return names
	}
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		switch {
		case name == "-" && tag == "-":
			continue
		case f.Anonymous && name == "":
			for n := range fieldNames(f.Type) {
				names[n] = struct{}{}
			}
			continue
		case !f.IsExported():
			continue
		case name == "":
			name = f.Name
		}
		names[name] = struct{}{}
	}
	return names
}
