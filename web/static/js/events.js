// RunStream follows one run's websocket. The server replays every earlier
// event, then sends live ones, and closes (1000) after the final status.
// If the socket drops before that, RunStream reconnects once after a second
// and skips what it has already seen, by seq.

const FINAL = new Set(['done', 'failed', 'cancelled', 'interrupted']);

/** isFinal reports whether a status is one a run ends in. */
export const isFinal = (state) => FINAL.has(state);

export class RunStream {
  /**
   * @param {string} path the events path, /runs/{id}/events
   * @param {(ev: object) => void} onEvent called once per event, in seq order
   * @param {(why: {done?: boolean, reason?: string, lost?: boolean}) => void} onEnd
   */
  constructor(path, onEvent, onEnd) {
    this.path = path;
    this.onEvent = onEvent;
    this.onEnd = onEnd;
    this.lastSeq = -1;
    this.final = false;
    this.retried = false;
    this.stopped = false;
    this.ws = null;
    this.timer = 0;
  }

  url() {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return proto + '//' + location.host + this.path;
  }

  connect() {
    if (this.stopped) return;
    let ws;
    try {
      ws = new WebSocket(this.url());
    } catch (err) {
      this.end({ reason: String(err.message || err) });
      return;
    }
    this.ws = ws;
    ws.onmessage = (m) => this.message(m.data);
    ws.onclose = (e) => this.closed(e);
  }

  message(data) {
    let ev;
    try {
      ev = JSON.parse(data);
    } catch {
      return; // not an event; nothing a learner can do about it
    }
    if (typeof ev.seq === 'number') {
      if (ev.seq <= this.lastSeq) return;
      this.lastSeq = ev.seq;
      this.retried = false; // this connection made progress: it may drop once more
    }
    if (ev.type === 'status' && isFinal(ev.state)) this.final = true;
    this.onEvent(ev);
  }

  closed(e) {
    this.ws = null;
    if (this.stopped) return;
    if (e.code === 1008 || e.code === 1003) {
      this.end({ reason: e.reason || 'The server refused to stream this run.' });
    } else if (this.final) {
      this.end({ done: true });
    } else if (!this.retried) {
      this.retried = true;
      this.timer = setTimeout(() => this.connect(), 1000);
    } else {
      this.end({ lost: true, reason: e.reason });
    }
  }

  end(why) {
    this.stopped = true;
    this.onEnd(why);
  }

  /** close stops following the run; the run itself carries on. */
  close() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.ws) this.ws.close(1000);
    this.ws = null;
  }
}
