// The live WebSocket: subscribes to every district the server says the user may see (its hello), hands each frame
// to onFrame, and reconnects with backoff. The server already conflates snapshots per district and bounds each
// client's queue, so a 100,000-device city still arrives here as a few frames per district per window.

export class Live {
  constructor(token, onFrame, onState) {
    this.token = token;
    this.onFrame = onFrame;
    this.onState = onState;
    this.backoffMs = 500;
    this.closed = false;
    this.connect();
  }

  connect() {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(`${proto}//${location.host}/api/v1/live?access_token=${encodeURIComponent(this.token)}`);
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
    ws.onclose = () => {
      this.onState('closed');
      if (!this.closed) {
        setTimeout(() => this.connect(), this.backoffMs);
        this.backoffMs = Math.min(this.backoffMs * 2, 10_000);
      }
    };
  }

  close() {
    this.closed = true;
    this.ws?.close();
  }
}
