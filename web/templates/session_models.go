package templates

// SessionPage is the view model of a session's pages: the learner's join
// and follow page, the instructor's console and the class board.
type SessionPage struct {
	Page
	Code     string
	JoinURL  string // absolute, as the QR code holds it
	JoinHost string // the host and path to type: "lab.example/sessions"
	QRURL    string // /sessions/{code}/qr.svg
	BoardURL string // /sessions/{code}/board
	// PublicURL is the server's -public-url ("" without one): the console
	// builds the instructor link on it.
	PublicURL string
	// Reach, on the console, warns that the join link points at this
	// machine only; nil when it is fine.
	Reach *JoinReach
	// Ended is when the instructor ended the session (RFC 3339, UTC), ""
	// while it runs; the pages say so, in the reader's own time.
	Ended string
	// Stage is what the room is on now, on the learner's page.
	Stage SessionStage
	// Panel carries what the run panel needs (its experiment); the panel
	// follows the room run, a spotlight or the learner's own run.
	Panel ExperimentPage
	// Experiments are the console's push forms, one per experiment.
	Experiments []SessionStage
	// Board is the session's public view as JSON, for the board's script.
	Board any
	// Rounds and Rows are the board's table as first drawn: the latest
	// round's entries.
	Rounds []BoardRound
	Rows   []BoardRow
}

// SessionStage is the pushed experiment as a learner sees it (or one of
// the console's push forms).
type SessionStage struct {
	Pushed bool // false: nothing pushed yet
	Round  int
	Lock   bool
	// Edit: learners may write their own variant this round (Exp.Edit is
	// its panel); Editable: the experiment has one, where this server
	// runs learners' code (the console's push offers it).
	Edit, Editable bool
	Exp            ExperimentPage // the form's fields hold the pushed values
}

// BoardRound is one round of the board, for its round picker.
type BoardRound struct {
	Round   int
	Title   string
	Entries int
}

// BoardRow is one learner's run on the board.
type BoardRow struct {
	Run, Label, Status string
	Summary            string // the figure that matters: "lost 41,230 of 500,000", "3.1× faster"
}

// JoinReach is the console's warning when it was opened at a loopback
// address and the server has no public URL: the join link and QR code
// then lead every phone to itself.
type JoinReach struct {
	Host string // the address the console was opened at: "localhost:8080"
	Port string // its port, "" for the scheme's default
	// LoopbackOnly: the server listens on a loopback address, so no other
	// machine reaches it whatever the link says.
	LoopbackOnly bool
	Choices      []ReachChoice // this machine's other addresses
}

// ReachChoice is one of the machine's addresses to open the console at.
type ReachChoice struct {
	Host    string // "192.168.1.20:8080"
	Console string // the console's URL there, without the key
}
