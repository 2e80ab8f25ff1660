package session

import (
	"fmt"
	"math"
	"strconv"

	"concurrencylab/lab"
)

// summaryOf is a finished run's line on the class board, written once
// here for every page that shows it (the board, the console, learners):
// its experiment's key figure, in the experiment's words, for the variant
// that matters: the first whose answer was wrong in some trial (and in
// how many), else the fastest beside the baseline; or, where the run
// ran the learner's own variant, that one beside the lab's best.
func summaryOf(info lab.Info, r *lab.Result) string {
	if r == nil || len(r.Variants) == 0 {
		return ""
	}
	if y := yoursOf(r); y != nil {
		return yoursSummary(y)
	}
	var pick *lab.VariantResult
	for i, v := range r.Variants {
		if v.WrongTrials != nil && *v.WrongTrials > 0 {
			pick = &r.Variants[i]
			break
		}
	}
	wrong := pick != nil
	if !wrong {
		for i, v := range r.Variants {
			if !v.Baseline && (pick == nil || v.Speedup > pick.Speedup) {
				pick = &r.Variants[i]
			}
		}
	}
	if pick == nil {
		pick = &r.Variants[0] // the baseline alone
	}
	s := pick.Name + ": " + keyFigure(info, *pick)
	if wrong {
		s += fmt.Sprintf("; wrong in %d of %d trials", *pick.WrongTrials, len(pick.Trials))
	}
	return s
}

// keyFigure writes v's value of the experiment's key figure with its
// label and unit ("Lost updates (median) 118,736", "Speedup 1.85×"), or
// its median time where the experiment declares none or v lacks it.
func keyFigure(info lab.Info, v lab.VariantResult) string {
	var f *lab.Figure
	for i := range info.Figures {
		if info.Figures[i].Main {
			f = &info.Figures[i]
		}
	}
	if f != nil {
		switch x, ok := figureValue(f.Key, v); {
		case ok && f.Key == "speedup" && f.Unit == "":
			return f.Label + " " + number(x) + "×"
		case ok:
			return f.Label + " " + number(x) + unit(f.Unit)
		case f.Key == "speedup" && v.SpeedupWithheld != "":
			return "no speedup: " + v.SpeedupWithheld
		}
	}
	return "median " + number(v.MedianMs) + " ms"
}

// figureValue is the value of a figure key for v: a variant result field
// (speedup, got) or the median of an Extra.
func figureValue(key string, v lab.VariantResult) (float64, bool) {
	switch key {
	case "speedup":
		return v.Speedup, v.Speedup > 0
	case "got":
		if v.Got != nil {
			return *v.Got, true
		}
		return 0, false
	}
	return lab.Number(v.Extra[key])
}

func unit(u string) string {
	switch u {
	case "":
		return ""
	case "×", "%":
		return u
	}
	return " " + u
}

// number writes x as a table would: whole numbers grouped in thousands,
// others to three significant figures.
func number(x float64) string {
	if x == math.Trunc(x) && math.Abs(x) < 1e15 {
		return lab.Group(int64(x))
	}
	if math.Abs(x) >= 1000 {
		return lab.Group(int64(math.Round(x)))
	}
	return strconv.FormatFloat(x, 'g', 3, 64)
}
