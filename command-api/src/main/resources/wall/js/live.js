// The live WebSocket: subscribes to every district the server says the user may see (its hello), hands each frame
// to onFrame, and reconnects with backoff. The server already conflates snapshots per district and bounds each
// client's queue, so a 100,000-device city still arrives here as a few frames per district per window.
// The token never goes into the socket's URL: each connection spends a one-time ticket from POST /api/v1/live/tickets
// (a 401 there sends the wall back to sign-in, through the Api). The server closes the socket with 4001 when the
// token expires and with 4008 when the user holds too many live connections.

const TOKEN_EXPIRED = 4001;

export class Live {
  constructor(api, onFrame, onState) {
    this.api = api;
    this.onFrame = onFrame;
    this.onState = onState;
    this.backoffMs = 500;
    this.closed = false;
    this.connect();
  }

  async connect() {
    let ticket;
    try {
      ticket = (await this.api.post('/api/v1/live/tickets')).ticket;
    } catch (e) {
      this.onState('closed');
      if (e.status !== 401) this.retry();
      return;
    }
    if (this.closed) return;
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(`${proto}//${location.host}/api/v1/live?ticket=${encodeURIComponent(ticket)}`);
    this.ws = ws;
    ws.onmessage = e => {
      const frame = JSON.parse(e.data);
      if (frame.type === 'hello') {
        ws.send(JSON.stringify({ subscribe: frame.districts }));
      } else if (frame.type === 'subscribed') {
        this.backoffMs = 500;
        this.onState('open', frame.districts);
      }
      this.onFrame(frame);
    };
    ws.onclose = e => {
      this.onState('closed');
      // An expired token needs a new sign-in; the ticket request's 401 leads there.
      if (e.code === TOKEN_EXPIRED) this.backoffMs = 500;
      this.retry();
    };
  }

  retry() {
    if (this.closed) return;
    setTimeout(() => this.connect(), this.backoffMs);
    this.backoffMs = Math.min(this.backoffMs * 2, 10_000);
  }

  close() {
    this.closed = true;
    this.ws?.close();
  }
}
