// Requests to /v1 that pass the token check but never become a WebSocket (a plain GET, an upgrade
// CivetWeb refuses for its version) take no connection slot and leave nothing behind: the token is
// looked up once per handshake and what that lookup found is released with the TCP connection.
// Under `make sanitize` a leak of it fails the test through the server log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer } from '../lib/server.mjs';
import { connect } from '../lib/ws.mjs';

// Writes raw HTTP requests on one TCP connection (keep-alive), ends it, and resolves all the server
// wrote back. Raw because CivetWeb answers a refused upgrade without a status line, which an HTTP
// client library rejects.
function exchange(port, requests) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let got = '';
    const timer = setTimeout(() => { sock.destroy(); reject(new Error(`no close within 5 s; got: ${got}`)); }, 5000);
    sock.on('connect', () => { sock.end(requests.join('')); });
    sock.on('data', (c) => { got += c; });
    sock.on('error', (e) => { clearTimeout(timer); reject(e); });
    sock.on('close', () => { clearTimeout(timer); resolve(got); });
  });
}

test('GETs and refused upgrades of /v1 with a valid token hold no slot: the one WebSocket allowed still opens', async () => {
  const server = await startServer({ extraArgs: ['--max-connections', '1'] });
  try {
    const iv = await server.newInterview();
    const target = `/v1?token=${iv.token}`;
    const plain = `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`;
    const oldVersion = `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n`
      + 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n';
    for (const requests of [[plain], [oldVersion], [plain, oldVersion], [oldVersion, plain, oldVersion]]) {
      const got = await exchange(server.port, requests);
      assert.ok(got.length > 0, 'an answer');
      assert.ok(!got.includes(' 101 '), `no upgrade: ${got}`);
      if (requests[0] === oldVersion) assert.match(got, /426/, got);
    }

    const c = await connect(`${server.ws}/v1?token=${iv.token}`);
    try {
      c.send({ action: 'history', interview_id: iv.interview_id });
      assert.equal((await c.next((f) => f.type === 'history')).status, 'new');
      // Exactly one slot is taken: the next handshake is refused at capacity.
      const e = await connect(`${server.ws}/v1?token=${iv.token}`).then((x) => { x.close(); return null; }, (err) => err);
      assert.equal(e?.status, 503, `a second WebSocket at --max-connections 1: ${e?.message ?? 'accepted'}`);
    } finally { c.close(); await c.closed; }
  } finally {
    await server.stop();
    server.cleanup();
  }
});
