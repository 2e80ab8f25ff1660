package lab

// A share link read leniently: a page opened from a link keeps every
// value it can and says which it could not use, where a run's request
// (ParseQuery, ParseJSON) is refused whole.

import (
	"errors"
	"fmt"
	"net/url"
	"slices"

	"concurrencylab/lab/errs"
)

// ParseLink checks the parameters of a share link. It returns the values
// it keeps (by parameter name, as given) and an error for each value it
// dropped: a name given twice, an unknown name, a value out of its bounds
// and, when the values kept break the experiment's Check, the value given
// last in the parameters' order whose removal satisfies it (all of them if
// no single one does). ParseMap accepts the values kept.
func ParseLink(info Info, q url.Values) (kept map[string]string, dropped []error) {
	all := AllParams(info)
	raw := make(map[string]string, len(q))
	for name, vs := range q {
		switch {
		case len(vs) == 0:
		case len(vs) > 1:
			dropped = append(dropped, &ParamError{errs.Truncate(name, maxQuoted), "is given more than once"})
		default:
			raw[name] = vs[0]
		}
	}
	raw = renamed(all, raw)
	kept = make(map[string]string, len(raw))
	for name, s := range raw {
		i := slices.IndexFunc(all, func(d Param) bool { return d.Name == name })
		if i < 0 {
			dropped = append(dropped, &ParamError{errs.Truncate(name, maxQuoted), "is not a parameter of " + info.ID})
			continue
		}
		if _, err := parseValue(all[i], s); err != nil {
			dropped = append(dropped, err)
			continue
		}
		kept[name] = s
	}
	// Name the dropped values in the form's order, not the map's.
	order := func(err error) int {
		var pe *ParamError
		if !errors.As(err, &pe) {
			return len(all)
		}
		if i := slices.IndexFunc(all, func(d Param) bool { return d.Name == pe.Name }); i >= 0 {
			return i
		}
		return len(all)
	}
	slices.SortStableFunc(dropped, func(a, b error) int { return order(a) - order(b) })
	_, err := parse(info, kept)
	if err == nil {
		return kept, dropped
	}
	// The values are fine one by one but not together (transfers × work):
	// drop the latest one whose absence the experiment accepts.
	for i := len(all) - 1; i >= 0; i-- {
		s, ok := kept[all[i].Name]
		if !ok {
			continue
		}
		delete(kept, all[i].Name)
		if _, again := parse(info, kept); again == nil {
			return kept, append(dropped, &ParamError{all[i].Name,
				fmt.Sprintf("%q does not fit the others: %v", errs.Truncate(s, maxQuoted), err)})
		}
		kept[all[i].Name] = s
	}
	return map[string]string{}, append(dropped, err)
}
