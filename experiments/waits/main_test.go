package waits

import (
	"context"
	"net/url"
	"testing"

	"go.uber.org/goleak"

	"concurrencylab/lab"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func params(t *testing.T, query string) lab.Params {
	t.Helper()
	q, err := url.ParseQuery(query)
	if err != nil {
		t.Fatal(err)
	}
	p, err := lab.ParseQuery(Experiment{}.Info(), q)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func trial(t *testing.T, variant string, p lab.Params) lab.Trial {
	t.Helper()
	tr, err := Experiment{}.Trial(context.Background(), variant, p, lab.Discard)
	if err != nil {
		t.Fatalf("%s: %v", variant, err)
	}
	if *tr.Got != *tr.Expected {
		t.Errorf("%s: got %d waits done, want %d", variant, *tr.Got, *tr.Expected)
	}
	return tr
}

func mustValues(t *testing.T, q string) url.Values {
	t.Helper()
	v, err := url.ParseQuery(q)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
