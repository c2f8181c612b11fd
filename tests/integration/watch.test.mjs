// The live view, GET /v1/watch, against the real binary: a watcher gets an interview's committed turns
// (the backlog from ?from=SEQ, then live) with no gap or repeat, also across a server restart; it sees a
// turn only once it is in the store; ?all=1 gets every interview's status changes; the handshake wants an
// API key or the session cookie with the server's own Origin, never a candidate's token; and a watcher that
// stops reading never slows a candidate down.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { bin, cli, startServer, tempDir } from '../lib/server.mjs';
import { scriptsDirWith } from '../lib/fixtures.mjs';
import { connect } from '../lib/ws.mjs';

const PW = 'a long enough passphrase';
const LOOP = 'while true do ask("Next?") end\n';
const DROP = 'local a = ask("First?", { id = "a" })\nlocal b = ask("Second?", { id = "b" })\nfinish("bye")\n';
const BOOM = 'ask("Ready?")\nerror("kaput")\n';
// Eight 16 000-character statements and a question per turn: about 128 KB a watcher must take per turn.
const BULK = 'local pad = string.rep("0123456789abcdef", 1000)\n'
  + 'while true do for i = 1, 8 do say(pad) end ask("More?") end\n';

let server, data, scripts, key, admin, cookie;

async function addUser(dir, name, role) {
  const p = spawn(bin, ['user', 'add', name, '--role', role, '--password-stdin', '--data', dir], { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  p.stderr.on('data', (c) => { stderr += c; });
  p.stdin.end(`${PW}\n`);
  const code = await new Promise((resolve) => p.on('close', resolve));
  assert.equal(code, 0, stderr);
}

async function addKey(dir, label, role = 'interviewer') {
  const r = await cli(['apikey', 'add', label, '--role', role, '--json', '--data', dir]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout).key;
}

async function api(srv, path, { method = 'GET', body, as = key } = {}) {
  const headers = { authorization: `Bearer ${as}` };
  if (body) headers['content-type'] = 'application/json';
  const r = await fetch(`${srv.http}${path}`, { method, headers, body: body && JSON.stringify(body) });
  const text = await r.text();
  return { status: r.status, body: text && r.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : text };
}

async function newInterview(srv, script, candidate) {
  const r = await api(srv, '/api/v1/interviews', { method: 'POST', body: { script, candidate } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

// Opens a watch socket on srv with the API key (or the given headers).
function watch(srv, query, headers = { authorization: `Bearer ${key}` }) {
  return connect(`${srv.ws}/v1/watch?${query}`, { headers });
}

// Collects the seqs of every turns frame a watcher gets, in order: those already queued, then as they come.
function collect(w) {
  const seqs = [];
  for (const f of w.frames.splice(0)) if (f.type === 'turns') seqs.push(...f.messages.map((m) => m.seq));
  w.ws.on('message', (d) => {
    const f = JSON.parse(d.toString());
    if (f.type === 'turns') seqs.push(...f.messages.map((m) => m.seq));
  });
  return seqs;
}

async function waitFor(cond, what, ms = 5000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const range = (a, b) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

before(async () => {
  data = tempDir();
  scripts = scriptsDirWith({ loop: LOOP, drop: DROP, boom: BOOM, bulk: BULK });
  await addUser(data, 'boss', 'admin');
  key = await addKey(data, 'ci');
  admin = await addKey(data, 'ops', 'admin');
  server = await startServer({ dataDir: data, scripts });
  const r = await fetch(`${server.http}/api/v1/session`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'boss', password: PW }),
  });
  assert.equal(r.status, 200);
  cookie = /interviewd_session=([^;]+)/.exec(r.headers.get('set-cookie'))[1];
});
after(async () => {
  await server.stop();
  rmSync(data, { recursive: true, force: true });
  rmSync(scripts, { recursive: true, force: true });
});

test('a watcher gets the backlog, then each turn live, each message exactly a history item', async () => {
  const iv = await newInterview(server, 'drop', 'Watched');
  const c = await connect(iv.ws_url);
  await c.turn(iv.id, 'hi');
  await c.turn(iv.id, 'an answer');
  const w = await watch(server, `interview=${iv.id}`);
  const backlog = await w.next((f) => f.type === 'turns');
  assert.equal(backlog.interview_id, iv.id);
  assert.equal(backlog.status, 'active');
  assert.equal(backlog.message, '');
  c.send({ action: 'history', interview_id: iv.id });
  const history = await c.next((f) => f.type === 'history');
  assert.deepEqual(backlog.messages, history.messages);
  assert.deepEqual(backlog.messages.map((m) => m.seq), [1, 2, 3, 4]);

  await c.turn(iv.id, 'the last answer');
  const live = await w.next((f) => f.type === 'turns');
  assert.equal(live.status, 'finished');
  assert.deepEqual(live.messages.map((m) => [m.seq, m.role, m.kind, m.text]),
    [[5, 'candidate', 'message', 'the last answer'], [6, 'bot', 'end', 'bye']]);
  const fin = await w.next((f) => f.type === 'status');
  assert.deepEqual(fin, { type: 'status', interview_id: iv.id, message: '', event: 'finished', status: 'finished', script: 'drop', candidate: 'Watched' });

  // from=SEQ starts the backlog there; a cookie with this server's Origin works like the key.
  const from = await watch(server, `interview=${iv.id}&from=4`, { cookie: `interviewd_session=${cookie}`, origin: server.http });
  assert.deepEqual((await from.next((f) => f.type === 'turns')).messages.map((m) => m.seq), [4, 5, 6]);
  // Read-only: a message from a watcher closes it with 1003.
  from.send({ action: 'message', interview_id: iv.id, message: 'x' });
  assert.equal((await from.closed).code, 1003);
  c.close();
  w.close();
});

test('a watcher sees a turn only once it is committed: show --json already has every seq it gets', async () => {
  const iv = await newInterview(server, 'loop', 'Committed');
  const w = await watch(server, `interview=${iv.id}`);
  await w.next((f) => f.type === 'turns'); // the (empty) backlog
  const c = await connect(iv.ws_url);
  for (let i = 0; i < 6; i++) {
    c.send({ action: 'message', interview_id: iv.id, message: `answer ${i}` });
    const f = await w.next((x) => x.type === 'turns');
    const shown = JSON.parse((await cli(['show', iv.id, '--json', '--data', data])).stdout);
    const stored = new Set(shown.transcript.map((t) => t.seq));
    for (const m of f.messages) assert.ok(stored.has(m.seq), `seq ${m.seq} was sent before it was stored`);
    await c.next((x) => x.kind === 'ask');
  }
  c.close();
  w.close();
});

test('from=SEQ resumes after a server restart with no gap and no repeat', async () => {
  const dir = tempDir();
  const k = await addKey(dir, 'resume');
  const start = () => startServer({ dataDir: dir, scripts });
  let srv = await start();
  try {
    const r = await fetch(`${srv.http}/api/v1/interviews`, {
      method: 'POST', headers: { authorization: `Bearer ${k}`, 'content-type': 'application/json' },
      body: JSON.stringify({ script: 'loop', candidate: 'Restarted' }),
    });
    const iv = await r.json();
    let c = await connect(`${srv.ws}/v1?token=${iv.token}`);
    await c.turn(iv.id, 'one');
    await c.turn(iv.id, 'two');
    const auth = { authorization: `Bearer ${k}` };
    let w = await watch(srv, `interview=${iv.id}`, auth);
    const seen = collect(w);
    await c.turn(iv.id, 'three');
    await waitFor(() => seen.length === 6, 'turn three, live');
    const closed = w.closed;
    await srv.stop();
    assert.equal((await closed).code, 1001);

    // The candidate carries on against the next process before the watcher is back.
    srv = await start();
    c = await connect(`${srv.ws}/v1?token=${iv.token}`);
    await c.turn(iv.id, 'four');
    await c.turn(iv.id, 'five');
    w = await watch(srv, `interview=${iv.id}&from=${seen.at(-1) + 1}`, auth);
    const more = collect(w);
    await waitFor(() => more.length === 4, 'the backlog since the restart');
    await c.turn(iv.id, 'six');
    await waitFor(() => more.length === 6, 'turn six, live');
    const all = [...seen, ...more];
    assert.deepEqual(all, range(1, 12));
    const shown = JSON.parse((await cli(['show', iv.id, '--json', '--data', dir])).stdout);
    assert.deepEqual(shown.transcript.map((t) => t.seq), all);
    c.close();
    w.close();
  } finally {
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('all=1 streams created, started, finished, script_error, closed and erased for every interview', async () => {
  const w = await watch(server, 'all=1');
  const next = (event, id) => w.next((f) => f.type === 'status' && f.event === event && (!id || f.interview_id === id));
  const iv = await newInterview(server, 'drop', 'Everyone');
  assert.deepEqual(await next('created', iv.id), { type: 'status', interview_id: iv.id, message: '', event: 'created', status: 'new', script: 'drop', candidate: 'Everyone' });
  const c = await connect(iv.ws_url);
  await c.turn(iv.id, 'hi');
  assert.equal((await next('started', iv.id)).status, 'active');
  await c.turn(iv.id, 'x');
  await c.turn(iv.id, 'y');
  assert.equal((await next('finished', iv.id)).status, 'finished');
  c.close();

  const b = await newInterview(server, 'boom', 'Broken');
  const bc = await connect(b.ws_url);
  await bc.turn(b.id, 'hi');
  await bc.turn(b.id, 'go');
  assert.equal((await next('script_error', b.id)).script, 'boom');
  bc.close();
  assert.equal((await api(server, `/api/v1/interviews/${b.id}/close`, { method: 'POST' })).status, 200);
  assert.equal((await next('closed', b.id)).status, 'closed');
  assert.equal((await api(server, `/api/v1/interviews/${b.id}`, { method: 'DELETE', as: admin })).status, 204);
  assert.equal((await next('erased', b.id)).candidate, 'Broken');
  // No turns on this socket: it is about status only.
  assert.ok(!w.frames.some((f) => f.type === 'turns'));
  w.close();
});

test('erasing an interview closes its watchers with 4404 after an erased status frame', async () => {
  const iv = await newInterview(server, 'loop', 'Gone Soon');
  const w = await watch(server, `interview=${iv.id}`);
  await w.next((f) => f.type === 'turns');
  assert.equal((await api(server, `/api/v1/interviews/${iv.id}`, { method: 'DELETE', as: admin })).status, 204);
  assert.equal((await w.next((f) => f.type === 'status')).event, 'erased');
  assert.equal((await w.closed).code, 4404);
});

test('the handshake: a foreign or missing Origin with the cookie is 403; a candidate token is 401; bad arguments 400/404', async () => {
  const iv = await newInterview(server, 'loop', 'Guarded');
  const refused = async (query, headers, status) => {
    await assert.rejects(watch(server, query, headers), (e) => e.status === status || assert.fail(`${query}: HTTP ${e.status ?? e.message}`));
  };
  const session = `interviewd_session=${cookie}`;
  await refused('all=1', { cookie: session, origin: 'http://evil.example' }, 403);
  await refused(`interview=${iv.id}`, { cookie: session, origin: `http://127.0.0.1:${server.port + 1}` }, 403);
  await refused('all=1', { cookie: session }, 403);
  await refused('all=1', {}, 401);
  await refused(`all=1&token=${iv.token}`, {}, 401);
  await refused('all=1', { authorization: `Bearer ${iv.token}` }, 401);
  await refused('all=1', { cookie: `interviewd_session=${iv.token}`, origin: server.http }, 401);
  await refused('all=1', { authorization: `Bearer ivk_${'A'.repeat(43)}` }, 401);
  await refused('', undefined, 400);
  await refused('interview=zzz', undefined, 400);
  await refused(`interview=${iv.id}&from=-1`, undefined, 400);
  await refused('interview=0123456789abcdef', undefined, 404);
  // A candidate token still opens only /v1.
  const c = await connect(iv.ws_url);
  c.close();
});

test('one user or key may hold 8 watch sockets at once (503 past that); closing one frees its place', async () => {
  const own = await addKey(data, 'greedy');
  const auth = { authorization: `Bearer ${own}` };
  const open = [];
  for (let i = 0; i < 8; i++) open.push(await watch(server, 'all=1', auth));
  await assert.rejects(watch(server, 'all=1', auth), (e) => e.status === 503);
  const other = await watch(server, 'all=1'); // another key is not held back
  const first = open.shift();
  first.close();
  await first.closed; // the server let its place go before it closed the connection
  const again = await watch(server, 'all=1', auth);
  for (const w of [...open, other, again]) w.close();
});

test('a watcher that never reads does not delay the candidate, and then gets everything or 1013 with from=', async () => {
  const iv = await newInterview(server, 'bulk', 'Busy Candidate');
  const w = await watch(server, `interview=${iv.id}`);
  await w.next((f) => f.type === 'turns');
  const got = collect(w);
  w.ws._socket.pause(); // stops reading: the server's writes to it back up
  const c = await connect(iv.ws_url);
  const TURNS = 36;
  let slowest = 0;
  for (let i = 0; i < TURNS; i++) {
    const t0 = Date.now();
    const replies = await c.turn(iv.id, `message ${i}`);
    slowest = Math.max(slowest, Date.now() - t0);
    assert.equal(replies.at(-1).message, 'More?', JSON.stringify(replies.at(-1)).slice(0, 200));
  }
  assert.ok(slowest < 3000, `a turn took ${slowest} ms with a stalled watcher`);
  c.close();
  const last = TURNS * 10;
  let code = null;
  let reason = '';
  w.closed.then((x) => { ({ code, reason } = x); });
  w.ws._socket.resume();
  await waitFor(() => code !== null || got.at(-1) === last, 'the watcher to catch up or be closed', 20000);
  if (code === null) {
    assert.deepEqual(got, range(1, last), 'everything, in order, once');
  } else {
    assert.equal(code, 1013);
    const from = Number(/from=(\d+)/.exec(reason)[1]);
    assert.deepEqual(got.slice(0, from - 1), range(1, from - 1), 'what came before the close is whole');
    const resumed = await watch(server, `interview=${iv.id}&from=${from}`);
    const rest = collect(resumed);
    await waitFor(() => rest.at(-1) === last, 'the rest after resuming', 20000);
    assert.deepEqual([...got.slice(0, from - 1), ...rest], range(1, last));
    resumed.close();
  }
  w.close();
});
