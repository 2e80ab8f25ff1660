// Package templates holds the lab's pages as templ components and the view
// models they take. Handlers in package web fill the view models; the
// components only lay them out.
package templates

// Page is what every page's layout needs.
type Page struct {
	Title string // the page's own title; the layout adds the site name
	// Nonce is the CSP nonce for this response; the layout's scripts carry it.
	Nonce string
}

// Catalog is the view model of the catalog page, /.
type Catalog struct {
	Page
	Experiments []ExperimentCard
}

// ExperimentCard is one experiment in the catalog.
type ExperimentCard struct {
	ID, Title, Summary string
	URL                string   // /experiments/{id}
	Variants           []string // variant names, in order
}

// ExperimentPage is the view model of /experiments/{id} and /runs/{id}:
// the same view, with Run set on the run page.
type ExperimentPage struct {
	Page
	ID, Title, Summary string
	Lesson             []string // paragraphs of plain text
	// KeyFigure is the result figure the results table shows first (see
	// lab.Info.KeyFigure); empty keeps the table's own order.
	KeyFigure string
	// Declared is the experiment's declared figures and charts, as JSON
	// ({"figures": [...], "charts": [...]}) for the page's scripts.
	Declared string
	Fields   []Field // the experiment's own parameters, in order
	Variants []VariantChoice
	Repeat   Field // the repeat parameter
	Cores    Field // the cores parameter: GOMAXPROCS in the run's slot
	Source   []SourceFile
	// ShareURL is the path and query string that reopens this page with
	// the form as it is filled now.
	ShareURL string
	// FormError names what was wrong with the query string, if anything;
	// the form then shows the defaults.
	FormError string
	// Run is the run this page shows, nil before the first run.
	Run *RunInfo
	// Limits describes the server's run limits, for a line under the form.
	Limits string
	// Views are the parts of the page only this experiment has (lab.View),
	// and ViewAssets the files they load, beside the page's own.
	Views      []ViewPanel
	ViewAssets Assets
	// Edit is the panel of the learner's own variant, nil where the
	// experiment has none.
	Edit *EditPanel
}

// EditPanel is where a learner writes their own variant, "yours".
type EditPanel struct {
	// Off says why editing is off on this server; "" when it is on.
	Off string
	// Start is the starting file; Code the id of the checked file the
	// page was opened with (the share link's code), if any.
	Start, Code string
	// Func is the function the harness calls, as it must be declared.
	Func string
	// Ran is, on a run's page, the learner's file the run ran as yours.
	Ran *RanCode
}

// RanCode is the learner's file a run ran: its id, its text, and the
// experiment's share link that opens a copy in the editor.
type RanCode struct {
	ID, Code, EditURL string
}

// ViewPanel is one view an experiment declares: its name, and its panel's
// HTML (the experiment's own embedded file, not user input), empty for a
// view whose script places itself.
type ViewPanel struct {
	Name  string
	Panel string
}

// Field is one parameter in the form.
type Field struct {
	Name, Label string
	Kind        string // int, float, bool, choice, duration, text
	Value       string // the current value, as a query string holds it
	Default     string
	Min, Max    string // bounds of int and float fields; empty if none
	Choices     []string
	Help        string
}

// VariantChoice is one variant's checkbox.
type VariantChoice struct {
	Name, Summary string
	Baseline      bool
	Checked       bool
}

// SourceFile is one file of the experiment's Go code.
type SourceFile struct {
	Name, Code string
}

// RunInfo is what the run page knows of its run when it is rendered; the
// page's script takes the rest from the run's event stream and
// GET /api/runs/{id}.
type RunInfo struct {
	ID        string
	Status    string // queued, running, done, failed, cancelled, interrupted
	EventsURL string // the websocket path, /runs/{id}/events
	APIURL    string // /api/runs/{id}
	Created   string // RFC 3339
	Error     string
}

// ErrorPage is the view model of the 404 page and other error pages.
type ErrorPage struct {
	Page
	Status  int
	Message string
}
