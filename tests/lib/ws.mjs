// A WebSocket client for tests (npm's `ws`, independent of the server's code): every frame received is
// queued, and next() waits for the first one matching a predicate, with a timeout instead of sleeps.
import WebSocket from 'ws';

// headers: extra handshake headers (Origin, Cookie, Authorization), for the team's /v1/watch.
export function connect(url, { timeout = 5000, headers } = {}) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, headers ? { headers } : undefined);
    const frames = [];
    const waiters = [];
    const timer = setTimeout(() => { ws.terminate(); reject(new Error(`connect to ${url} timed out`)); }, timeout);
    ws.on('unexpected-response', (req, res) => {
      clearTimeout(timer);
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => { const e = new Error(`HTTP ${res.statusCode}`); e.status = res.statusCode; e.body = body; reject(e); });
    });
    ws.on('error', (e) => { clearTimeout(timer); reject(e); });
    ws.on('message', (data, isBinary) => {
      const frame = isBinary ? { binary: data } : JSON.parse(data.toString());
      const i = waiters.findIndex((w) => w.pred(frame));
      if (i >= 0) { const [w] = waiters.splice(i, 1); clearTimeout(w.timer); w.resolve(frame); } else frames.push(frame);
    });
    ws.on('open', () => {
      clearTimeout(timer);
      const client = {
        ws, frames,
        send(obj) { ws.send(typeof obj === 'string' ? obj : JSON.stringify(obj)); },
        // Resolves the first queued or future frame for which pred(frame) is true.
        next(pred = () => true, ms = 5000) {
          const i = frames.findIndex(pred);
          if (i >= 0) return Promise.resolve(frames.splice(i, 1)[0]);
          return new Promise((res, rej) => {
            const w = { pred, resolve: res, timer: setTimeout(() => { waiters.splice(waiters.indexOf(w), 1); rej(new Error(`no matching frame within ${ms} ms; queued: ${JSON.stringify(frames)}`)); }, ms) };
            waiters.push(w);
          });
        },
        // Sends a message and collects this turn's response frames up to the next ask or the end.
        async turn(interview_id, message, extra = {}) {
          client.send({ action: 'message', message, interview_id, ...extra });
          const out = [];
          for (;;) {
            const f = await client.next();
            out.push(f);
            if (f.type === 'error' || f.kind === 'ask' || f.kind === 'end' || f.done) return out;
          }
        },
        closed: new Promise((res) => ws.on('close', (code, reason) => res({ code, reason: reason.toString() }))),
        close() { ws.close(); },
      };
      resolve(client);
    });
  });
}
