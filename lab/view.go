package lab

// A View is a part of an experiment's page that only that experiment has:
// race's step-through of the reads and writes of its counter, pixels'
// clip gallery. The experiment ships the view's files in its Info.Files;
// the page loads them and, where the view has a panel, shows it in the
// run panel under the results. A page whose experiment declares no view
// loads none.
//
// A view's script is an ES module. It finds its panel by
// [data-view="<name>"], and hears each run through the run panel
// (#run): a "lab:result" CustomEvent carries a finished run's result
// (the same object GET /api/runs/{id} returns as result), "lab:reset" a
// new run; the panel's labResult property holds the last result shown.
type View struct {
	// Name names the view on the page: [data-view=Name], id "view-Name".
	Name string `json:"name"`
	// Panel is the file of Files holding the view's panel, an HTML
	// fragment; empty for a view that has none (its script places
	// itself). The panel starts hidden: the script shows it.
	Panel string `json:"-"`
	// Scripts and Styles are files of Files the page loads, in order.
	Scripts []string `json:"-"`
	Styles  []string `json:"-"`
}

// ViewFile is the path under which a page asks for file name of the
// files of experiment id (Info.Files).
func ViewFile(id, name string) string { return "/static/experiments/" + id + "/" + name }
