// The /v1 handshake: tokens (401 without upgrading), the connection cap (503), and ping/pong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { connect } from '../lib/ws.mjs';

async function withServer(opts, fn) {
  const server = await startServer(opts);
  try { await fn(server); } finally { await server.stop(); server.cleanup(); }
}

async function rejectedWith(url, status) {
  const e = await connect(url).then((c) => { c.close(); return null; }, (err) => err);
  assert.ok(e, `the handshake to ${url} was accepted`);
  assert.equal(e.status, status, `expected HTTP ${status}, got: ${e.message}`);
  assert.ok(e.body.trim().length > 0, 'a short body explains the refusal');
  assert.ok(!e.body.trim().includes('\n'), `a one-line body: ${JSON.stringify(e.body)}`);
  return e;
}

test('a handshake without a token or with an unknown one gets HTTP 401, and a valid token still works', async () => {
  await withServer({}, async (server) => {
    const iv = await server.newInterview();
    await rejectedWith(`${server.ws}/v1`, 401);
    await rejectedWith(`${server.ws}/v1?token=`, 401);
    await rejectedWith(`${server.ws}/v1?token=garbage`, 401);
    // Well-formed (43 base64url characters) but never issued.
    await rejectedWith(`${server.ws}/v1?token=${'A'.repeat(43)}`, 401);
    // A token differing from a real one in its last character.
    const near = iv.token.slice(0, -1) + (iv.token.endsWith('A') ? 'B' : 'A');
    await rejectedWith(`${server.ws}/v1?token=${near}`, 401);
    const c = await connect(`${server.ws}/v1?token=${iv.token}`);
    try {
      c.send({ action: 'history', interview_id: iv.interview_id });
      const h = await c.next((f) => f.type === 'history');
      assert.equal(h.status, 'new');
    } finally { c.close(); }
  });
});

test('at --max-connections a further handshake gets HTTP 503, and closing one makes room', async () => {
  await withServer({ extraArgs: ['--max-connections', '2'] }, async (server) => {
    const iv = await server.newInterview();
    const url = `${server.ws}/v1?token=${iv.token}`;
    const a = await connect(url);
    const b = await connect(url);
    try {
      await rejectedWith(url, 503);
      // The open ones are unaffected.
      b.send({ action: 'history', interview_id: iv.interview_id });
      await b.next((f) => f.type === 'history');
      a.close();
      await a.closed;
      // The server frees the slot once it has seen the close; allow it a bounded moment to do so.
      let c;
      const deadline = Date.now() + 3000;
      while (!c) {
        try { c = await connect(url); } catch (e) {
          if (e.status !== 503 || Date.now() > deadline) throw e;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      c.send({ action: 'history', interview_id: iv.interview_id });
      await c.next((f) => f.type === 'history');
      c.close();
    } finally { a.close(); b.close(); }
  });
});

test('a ping frame gets a pong with the same payload', async () => {
  await withServer({}, async (server) => {
    const iv = await server.newInterview();
    const c = await connect(`${server.ws}/v1?token=${iv.token}`);
    try {
      const pong = new Promise((resolve) => c.ws.once('pong', (data) => resolve(data.toString())));
      c.ws.ping('are-you-there');
      let timer;
      const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('no pong within 5 s')), 5000); });
      try { assert.equal(await Promise.race([pong, timeout]), 'are-you-there'); } finally { clearTimeout(timer); }
      // Still a working connection afterwards.
      c.send({ action: 'history', interview_id: iv.interview_id });
      await c.next((f) => f.type === 'history');
    } finally { c.close(); }
  });
});
