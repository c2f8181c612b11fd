// A seeded storm of malformed traffic from token holders: mutated JSON (wrong types, cut short, bytes
// flipped, huge, deeply nested), fragmented and unmasked frames, unknown opcodes, pings, truncated frames,
// raw garbage after the handshake, sockets dropped mid-turn. The server must answer or close each one,
// never crash, and afterwards still run an interview correctly and stop cleanly (under `make sanitize`,
// without a single AddressSanitizer or UBSan report). Same seed, same traffic: a failure reproduces.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import crypto from 'node:crypto';
import WebSocket from 'ws';
import { startServer } from '../lib/server.mjs';
import { connect } from '../lib/ws.mjs';

const ROUNDS = 30; // of 8 concurrent sessions each
let seed = 20261126;
const rnd = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };
const ri = (n) => Math.floor(rnd() * n);
const pick = (a) => a[ri(a.length)];

let server;
const ivs = [];
before(async () => {
  server = await startServer();
  for (const script of ['demo', 'backend-screen', 'support-agent', 'culture-fit']) ivs.push(await server.newInterview(script, 'Fuzz'));
});
after(async () => { if (server) { await server.stop(); server.cleanup(); } });

function payload(iv) {
  const id = iv.interview_id;
  const o = { ...pick([
    { action: 'message', message: 'hello', interview_id: id },
    { action: 'history', interview_id: id },
    { action: 'message', message: String(ri(100)), interview_id: id, client_msg_id: `k${ri(5)}` },
    { action: 'message', message: pick(['C', '1', '-1', '1e308', 'NaN', ' ', '\u0000', '\u{1F600}', 'é'.repeat(ri(5000))]), interview_id: id },
  ]) };
  const key = pick(Object.keys(o));
  switch (ri(8)) {
    case 0: o[key] = pick([null, 1, true, [], {}, -0, 'x'.repeat(ri(200000))]); break;
    case 1: delete o[key]; break;
    case 2: o[pick(['action', 'extra', 'client_msg_id', '__proto__'])] = pick(['message', 'history', 'x', 7]); break;
    case 3: { const s = JSON.stringify(o); return Buffer.from(s.slice(0, ri(s.length))); }
    case 4: { const b = Buffer.from(JSON.stringify(o)); b[ri(b.length)] = ri(256); return b; }
    case 5: return Buffer.from(pick(['[]', '"str"', '1', 'null', '{'.repeat(ri(20000)), `{"action":"message","message":"a","interview_id":"${id}","message":"b"}`]));
    default: break;
  }
  return Buffer.from(JSON.stringify(o));
}

// A client frame by hand: `fin`, `mask` and the opcode are the caller's, so it can be anything.
function frame(opcode, body, { fin = true, mask = true } = {}) {
  const len = body.length;
  const head = len < 126 ? Buffer.alloc(2) : len < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  head[0] = (fin ? 0x80 : 0) | opcode;
  if (len < 126) head[1] = len;
  else if (len < 65536) { head[1] = 126; head.writeUInt16BE(len, 2); } else { head[1] = 127; head.writeBigUInt64BE(BigInt(len), 2); }
  if (!mask) return Buffer.concat([head, body]);
  head[1] |= 0x80;
  const key = Buffer.from([ri(256), ri(256), ri(256), ri(256)]);
  const out = Buffer.from(body);
  for (let i = 0; i < out.length; i++) out[i] ^= key[i & 3];
  return Buffer.concat([head, key, out]);
}

// Raw TCP: a WebSocket handshake (now and then with a bad token), then frames of every wrong kind.
function rawSession() {
  const iv = pick(ivs);
  const writes = [];
  const token = ri(10) ? iv.token : 'not-a-token';
  for (let n = 1 + ri(6); n > 0; n--) {
    const p = payload(iv);
    switch (ri(7)) {
      case 0: { const cut = ri(p.length + 1); writes.push(frame(1, p.subarray(0, cut), { fin: false }), frame(0, p.subarray(cut))); break; }
      case 1: writes.push(frame(pick([0, 2, 3, 5, 0xb, 0xf]), p)); break;
      case 2: writes.push(frame(9, p.subarray(0, ri(126)))); break;
      case 3: writes.push(frame(1, p, { mask: false })); break;
      case 4: writes.push(frame(1, p).subarray(0, ri(p.length + 6))); break;
      case 5: writes.push(Buffer.from(Array.from({ length: ri(64) }, () => ri(256)))); break;
      default: writes.push(frame(1, p));
    }
  }
  if (ri(2)) writes.push(frame(8, Buffer.from([0x03, 0xe8])));
  const linger = ri(300);
  return new Promise((resolve) => {
    const s = net.connect(server.port, '127.0.0.1');
    let timer;
    const done = () => { clearTimeout(timer); s.destroy(); resolve(); };
    s.on('error', done);
    s.on('close', done);
    s.on('connect', () => {
      s.write(`GET /v1?token=${token} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n`
        + `Sec-WebSocket-Key: ${crypto.randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
      for (const w of writes) s.write(w);
      timer = setTimeout(done, linger);
    });
  });
}

// npm's ws: well-formed frames, hostile contents, closed or dropped while turns are running.
function wsSession() {
  const iv = pick(ivs);
  const sends = Array.from({ length: 1 + ri(15) }, () => payload(iv).toString('latin1'));
  const linger = ri(400);
  return new Promise((resolve) => {
    const ws = new WebSocket(`${server.ws}/v1?token=${iv.token}`);
    let timer;
    const done = () => { clearTimeout(timer); ws.terminate(); resolve(); };
    ws.on('error', done);
    ws.on('unexpected-response', done);
    ws.on('close', done);
    ws.on('open', () => { for (const s of sends) ws.send(s); timer = setTimeout(done, linger); });
  });
}

test('a storm of malformed frames and dropped sockets leaves the server serving, then stopping cleanly', { timeout: 180000 }, async () => {
  for (let round = 0; round < ROUNDS; round++) {
    await Promise.all(Array.from({ length: 8 }, () => (ri(2) ? rawSession() : wsSession())));
    assert.equal(server.proc.exitCode, null, `the server is still running after round ${round}`);
    assert.equal(server.proc.signalCode, null, `the server is still running after round ${round}`);
  }
  // Every interview hit by the storm still answers with a well-formed transcript.
  for (const iv of ivs) {
    const c = await connect(`${server.ws}/v1?token=${iv.token}`);
    c.send({ action: 'history', interview_id: iv.interview_id });
    const h = await c.next((f) => f.type === 'history');
    assert.ok(['new', 'active', 'finished'].includes(h.status));
    h.messages.forEach((m, i) => assert.equal(m.seq, i + 1, 'seqs run 1, 2, … without gaps'));
    c.close();
  }
  // And a fresh interview runs as it should.
  const iv = await server.newInterview('demo', 'Ada');
  const c = await connect(`${server.ws}/v1?token=${iv.token}`);
  const first = await c.turn(iv.interview_id, 'Hello');
  assert.deepEqual(first.map((f) => f.kind), ['say', 'ask']);
  assert.equal(first[1].message, 'Which language do you use most?');
  c.close();
  const status = await server.stop();
  assert.equal(status.code, 0, 'SIGTERM after the storm still exits 0');
  server.cleanup();
  server = null;
});
