package code

import (
	"fmt"
	"go/format"
	"unicode/utf8"

	"concurrencylab/lab"
)

// Format returns src as gofmt writes it, or the problems that keep it
// from being parsed. It only parses and prints: nothing of src runs.
func Format(src string) (string, []Problem) {
	if len(src) > MaxSource {
		return "", []Problem{{Msg: fmt.Sprintf("the file is %s bytes; at most %s", lab.Group(int64(len(src))), lab.Group(MaxSource))}}
	}
	if !utf8.ValidString(src) {
		return "", []Problem{{Msg: "the file is not valid UTF-8"}}
	}
	out, err := format.Source([]byte(src))
	if err != nil {
		return "", syntaxProblems(err)
	}
	return string(out), nil
}
