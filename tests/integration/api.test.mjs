// The HTTP API under /api/v1 against the real binary on 127.0.0.1, with Node's fetch: every endpoint's
// success and failure, who may call what (no credentials, interviewer, admin, API key, a candidate's token,
// a removed user's session, a signed-out one), the same-origin rule for cookie writes, the sign-in limit,
// body bounds and odd paths. Accounts and keys are made with the CLI, beside the running server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import net from 'node:net';
import { rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { bin, cli, startServer, tempDir } from '../lib/server.mjs';
import { scriptsDirWith } from '../lib/fixtures.mjs';
import { connect } from '../lib/ws.mjs';

const PW = 'a long enough passphrase';
const BROKEN = "say('one')\nsay('two'\nsay('three')\n";
const DROP = 'local a = ask("First?", { id = "a" })\nlocal b = ask("Second?", { id = "b" })\nfinish("bye")\n';

// Runs the CLI with text on stdin; resolves { code, stdout, stderr }.
function cliStdin(args, input) {
  return new Promise((resolve, reject) => {
    const p = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c) => { stdout += c; });
    p.stderr.on('data', (c) => { stderr += c; });
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stdout, stderr }));
    p.stdin.end(input);
  });
}

async function addUser(data, name, role = 'interviewer') {
  const r = await cliStdin(['user', 'add', name, '--role', role, '--password-stdin', '--data', data], `${PW}\n`);
  assert.equal(r.code, 0, r.stderr);
}

async function addKey(data, label, role = 'interviewer') {
  const r = await cli(['apikey', 'add', label, '--role', role, '--json', '--data', data]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout).key;
}

// One request. opts: method, body (an object is sent as JSON), cookie, key, origin (true: the server's
// own), headers. Resolves { status, headers, body } with body parsed when it is JSON.
async function call(server, path, opts = {}) {
  const headers = { ...(opts.headers || {}) };
  let body = opts.body;
  if (body !== undefined && typeof body !== 'string') body = JSON.stringify(body);
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  if (opts.cookie) headers.cookie = `interviewd_session=${opts.cookie}`;
  if (opts.key) headers.authorization = `Bearer ${opts.key}`;
  if (opts.origin) headers.origin = opts.origin === true ? server.http : opts.origin;
  const r = await fetch(`${server.http}${path}`, { method: opts.method || 'GET', headers, body });
  const text = await r.text();
  const json = (r.headers.get('content-type') || '').startsWith('application/json') ? JSON.parse(text) : text;
  return { status: r.status, headers: r.headers, body: json };
}

// Signs in; resolves the cookie's value.
async function signIn(server, name, password = PW) {
  const r = await call(server, '/api/v1/session', { method: 'POST', body: { name, password } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return /interviewd_session=([^;]+)/.exec(r.headers.get('set-cookie'))[1];
}

// Sends raw bytes (for what fetch would not send as is) and resolves the first answer as text, once its
// headers and Content-Length bytes of body are in or the server closes.
function raw(server, request) {
  return new Promise((resolve, reject) => {
    const s = net.connect(server.port, '127.0.0.1', () => s.write(request));
    let data = '';
    s.on('data', (c) => {
      data += c;
      const end = data.indexOf('\r\n\r\n');
      const len = /\r\ncontent-length: *(\d+)/i.exec(data.slice(0, end));
      if (end >= 0 && len && data.length >= end + 4 + Number(len[1])) { s.destroy(); resolve(data); }
    });
    s.on('end', () => resolve(data));
    s.on('error', reject);
    s.setTimeout(10000, () => { s.destroy(); reject(new Error(`no answer to ${request.slice(0, 80)}`)); });
  });
}

function assertError(r, status, code, field) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.equal(r.body.error.code, code);
  assert.equal(typeof r.body.error.message, 'string');
  assert.ok(r.body.error.message.length > 0);
  if (field) assert.equal(r.body.error.field, field, r.body.error.message);
}

let server, data, scripts;
const cred = {};
before(async () => {
  data = tempDir();
  scripts = scriptsDirWith({ broken: BROKEN, drop: DROP, tally: DROP }, { withDemo: true });
  await addUser(data, 'boss', 'admin');
  await addUser(data, 'ivy');
  cred.ciKey = await addKey(data, 'ci');
  cred.opsKey = await addKey(data, 'ops', 'admin');
  server = await startServer({ dataDir: data, scripts });
  cred.admin = await signIn(server, 'boss');
  cred.ivy = await signIn(server, 'ivy');
  const iv = await server.newInterview('demo', 'Token Holder');
  cred.candidate = iv.token;
  cred.interview = iv.interview_id;
});
after(async () => {
  await server.stop();
  rmSync(data, { recursive: true, force: true });
  rmSync(scripts, { recursive: true, force: true });
});

// ---- sessions ------------------------------------------------------------------------------------------

test('signing in sets an HttpOnly, SameSite=Strict session cookie for 7 days; signing out ends it', async () => {
  const r = await call(server, '/api/v1/session', { method: 'POST', body: { name: 'ivy', password: PW } });
  assert.equal(r.status, 200);
  assert.deepEqual(r.body, { name: 'ivy', role: 'interviewer' });
  const set = r.headers.get('set-cookie');
  assert.match(set, /^interviewd_session=ivs_[A-Za-z0-9_-]{43};/);
  for (const attr of ['HttpOnly', 'SameSite=Strict', 'Path=/', 'Max-Age=604800']) assert.ok(set.includes(`; ${attr}`), set);
  assert.ok(!set.includes('Secure'), 'no Secure flag over plain HTTP');
  assert.equal(r.headers.get('cache-control'), 'no-store');
  const cookie = /interviewd_session=([^;]+)/.exec(set)[1];

  assert.deepEqual((await call(server, '/api/v1/me', { cookie })).body, { name: 'ivy', role: 'interviewer' });
  const out = await call(server, '/api/v1/session', { method: 'DELETE', cookie, origin: true });
  assert.equal(out.status, 204);
  assert.match(out.headers.get('set-cookie'), /^interviewd_session=;.*Max-Age=0/);
  assertError(await call(server, '/api/v1/me', { cookie }), 401, 'unauthorized');
  // Signing out again is still a success.
  assert.equal((await call(server, '/api/v1/session', { method: 'DELETE', cookie, origin: true })).status, 204);
});

test('a wrong password and an unknown name get the same 401; a missing field is a 400 naming it', async () => {
  const wrong = await call(server, '/api/v1/session', { method: 'POST', body: { name: 'ivy', password: 'not the password' } });
  const nobody = await call(server, '/api/v1/session', { method: 'POST', body: { name: 'nobody', password: 'not the password' } });
  assertError(wrong, 401, 'unauthorized');
  assert.deepEqual(nobody.body, wrong.body);
  assertError(await call(server, '/api/v1/session', { method: 'POST', body: { name: 'ivy' } }), 400, 'bad_request', 'password');
  assertError(await call(server, '/api/v1/session', { method: 'POST', body: { password: PW } }), 400, 'bad_request', 'name');
});

test('GET /me says who is asking: a user by cookie, a key by label', async () => {
  assert.deepEqual((await call(server, '/api/v1/me', { cookie: cred.admin })).body, { name: 'boss', role: 'admin' });
  assert.deepEqual((await call(server, '/api/v1/me', { key: cred.ciKey })).body, { name: 'ci', role: 'interviewer', apikey: true });
});

// ---- who may call what ----------------------------------------------------------------------------------

const ENDPOINTS = [
  ['GET', '/api/v1/me'],
  ['GET', '/api/v1/scripts'],
  ['GET', '/api/v1/interviews'],
  ['POST', '/api/v1/interviews'],
  ['GET', '/api/v1/interviews/0123456789abcdef'],
  ['GET', '/api/v1/interviews/0123456789abcdef/transcript.md'],
  ['POST', '/api/v1/interviews/0123456789abcdef/close'],
  ['POST', '/api/v1/interviews/0123456789abcdef/link'],
  ['DELETE', '/api/v1/interviews/0123456789abcdef', 'admin'],
  ['GET', '/api/v1/export.csv?script=demo'],
  ['GET', '/api/v1/export.jsonl?script=demo'],
  ['GET', '/api/v1/stats?script=demo'],
  ['GET', '/api/v1/users', 'admin'],
  ['POST', '/api/v1/users', 'admin'],
  ['DELETE', '/api/v1/users/nobody', 'admin'],
  ['GET', '/api/v1/apikeys', 'admin'],
  ['POST', '/api/v1/apikeys', 'admin'],
  ['DELETE', '/api/v1/apikeys/nothing', 'admin'],
];

test('every endpoint refuses no credentials, a candidate token (as bearer or cookie) and a made-up key with 401', async () => {
  for (const [method, path] of ENDPOINTS) {
    const body = method === 'POST' ? {} : undefined;
    for (const opts of [{}, { key: cred.candidate }, { cookie: cred.candidate }, { key: `ivk_${'A'.repeat(43)}` }, { cookie: cred.ciKey }]) {
      const r = await call(server, path, { method, body, origin: true, ...opts });
      assertError(r, 401, 'unauthorized');
    }
  }
});

test('interviewers get 403 from admin endpoints; admins and admin keys get past the role check', async () => {
  for (const [method, path, role] of ENDPOINTS) {
    const body = method === 'POST' ? {} : undefined;
    const asIvy = await call(server, path, { method, body, cookie: cred.ivy, origin: true });
    const asCi = await call(server, path, { method, body, key: cred.ciKey });
    const asBoss = await call(server, path, { method, body, cookie: cred.admin, origin: true });
    const asOps = await call(server, path, { method, body, key: cred.opsKey });
    for (const r of [asIvy, asCi]) {
      if (role === 'admin') assertError(r, 403, 'forbidden');
      else assert.ok(![401, 403].includes(r.status), `${method} ${path}: ${r.status}`);
    }
    for (const r of [asBoss, asOps]) assert.ok(![401, 403].includes(r.status), `${method} ${path}: ${r.status}`);
  }
});

test('a removed user\'s session stops working at once, though the server kept running', async () => {
  await addUser(data, 'leaver');
  const cookie = await signIn(server, 'leaver');
  assert.equal((await call(server, '/api/v1/me', { cookie })).status, 200);
  const r = await cli(['user', 'remove', 'leaver', '--data', data]);
  assert.equal(r.code, 0, r.stderr);
  const after = await call(server, '/api/v1/me', { cookie });
  assertError(after, 401, 'unauthorized');
  assert.match(after.headers.get('set-cookie'), /Max-Age=0/, 'the stale cookie is cleared');
});

// ---- the same-origin rule -----------------------------------------------------------------------------

test('a cookie write needs the server\'s own Origin: a foreign one or none is 403, the same one passes', async () => {
  const body = { script: 'demo', candidate: 'Origin Check' };
  for (const origin of ['http://evil.example', 'null', `http://127.0.0.1:${server.port + 1}`, undefined]) {
    const r = await call(server, '/api/v1/interviews', { method: 'POST', body, cookie: cred.ivy, origin });
    assertError(r, 403, 'forbidden');
  }
  assert.equal((await call(server, '/api/v1/interviews', { method: 'POST', body, cookie: cred.ivy, origin: true })).status, 201);
  // Admin writes and sign-out are writes too.
  assertError(await call(server, '/api/v1/users/ivy', { method: 'DELETE', cookie: cred.admin, origin: 'http://evil.example' }), 403, 'forbidden');
  assertError(await call(server, '/api/v1/session', { method: 'DELETE', cookie: cred.ivy }), 403, 'forbidden');
  assert.equal((await call(server, '/api/v1/me', { cookie: cred.ivy })).status, 200, 'still signed in');
  // Reads need no Origin, and a key (which no browser sends by itself) needs none.
  assert.equal((await call(server, '/api/v1/interviews', { cookie: cred.ivy })).status, 200);
  assert.equal((await call(server, '/api/v1/interviews', { method: 'POST', body, key: cred.ciKey })).status, 201);
  // A browser on another site cannot sign anyone in either.
  assertError(await call(server, '/api/v1/session', { method: 'POST', body: { name: 'ivy', password: PW }, origin: 'http://evil.example' }), 403, 'forbidden');
});

// ---- scripts and interviews ---------------------------------------------------------------------------

test('GET /scripts lists each script with its hash, and the compile error with file and line', async () => {
  const r = await call(server, '/api/v1/scripts', { key: cred.ciKey });
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.map((s) => s.name), ['broken', 'demo', 'drop', 'tally']);
  const [broken, demo] = r.body;
  assert.equal(demo.ok, true);
  assert.equal(demo.error, null);
  assert.match(demo.hash, /^[0-9a-f]{64}$/);
  assert.equal(broken.ok, false);
  assert.match(broken.error, /^scripts\/broken\.lua:3:/);
  assert.match(broken.hash, /^[0-9a-f]{64}$/);
});

test('POST /interviews creates one with a link on the request\'s own origin that a candidate can open', async () => {
  const r = await call(server, '/api/v1/interviews', { method: 'POST', body: { script: 'demo', candidate: 'Grace Hopper' }, key: cred.ciKey });
  assert.equal(r.status, 201);
  const { id, token, url, ws_url: wsUrl } = r.body;
  assert.match(id, /^[0-9a-f]{16}$/);
  assert.equal(r.body.interview_id, id);
  assert.equal(r.body.script, 'demo');
  assert.equal(r.body.candidate, 'Grace Hopper');
  assert.equal(url, `${server.http}/?interview=${id}&token=${token}`);
  assert.equal(wsUrl, `${server.ws}/v1?token=${token}`);

  const ws = await connect(wsUrl);
  ws.send({ action: 'history', interview_id: id });
  const history = await ws.next((f) => f.type === 'history');
  assert.equal(history.interview_id, id);
  ws.ws.close();

  const show = await call(server, `/api/v1/interviews/${id}`, { cookie: cred.ivy });
  assert.equal(show.status, 200);
  assert.equal(show.body.id, id);
  assert.equal(show.body.candidate, 'Grace Hopper');
  assert.ok(Array.isArray(show.body.transcript));
  for (const k of ['scores', 'answers']) assert.deepEqual(typeof show.body[k], 'object');
  assert.ok(Array.isArray(show.body.notes) && Array.isArray(show.body.tags));
  assert.ok('last_error' in show.body && 'last_traceback' in show.body);
  assert.ok(!JSON.stringify(show.body).includes(token), 'the token is never shown again');

  // The CLI sees it.
  const list = await cli(['list', '--json', '--data', data]);
  assert.ok(JSON.parse(list.stdout).some((iv) => iv.id === id));
});

test('POST /interviews answers 400 naming the field for a missing, unknown or broken script or a bad candidate', async () => {
  const post = (body, opts = {}) => call(server, '/api/v1/interviews', { method: 'POST', body, key: cred.ciKey, ...opts });
  assertError(await post({ candidate: 'A' }), 400, 'bad_request', 'script');
  assertError(await post({ script: 'nosuch', candidate: 'A' }), 400, 'bad_request', 'script');
  assertError(await post({ script: '../demo', candidate: 'A' }), 400, 'bad_request', 'script');
  const broken = await post({ script: 'broken', candidate: 'A' });
  assertError(broken, 400, 'bad_request', 'script');
  assert.match(broken.body.error.message, /scripts\/broken\.lua:3:/);
  assertError(await post({ script: 'demo' }), 400, 'bad_request', 'candidate');
  assertError(await post({ script: 'demo', candidate: 42 }), 400, 'bad_request', 'candidate');
  assertError(await post({ script: 'demo', candidate: 'Ada\nLovelace' }), 400, 'bad_request', 'candidate');
  assertError(await post({ script: 'demo', candidate: 'x'.repeat(201) }), 400, 'bad_request', 'candidate');
  assert.equal((await post({ script: 'demo', candidate: 'é'.repeat(200) })).status, 201);
  assertError(await post('{"script": "demo", ', {}), 400, 'bad_request', 'body');
  assertError(await post('script=demo', { headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 400, 'bad_request', 'Content-Type');
});

test('GET /interviews filters by status, script and candidate, newest first, paging by cursor', async () => {
  const ids = [];
  for (let i = 0; i < 5; i++) {
    const r = await call(server, '/api/v1/interviews', { method: 'POST', body: { script: 'demo', candidate: `Paging Person ${i}` }, key: cred.ciKey });
    ids.push(r.body.id);
    await new Promise((res) => setTimeout(res, 3)); // distinct creation times: the order is by time
  }
  const seen = [];
  let cursor = null;
  let pages = 0;
  do {
    const q = new URLSearchParams({ q: 'PAGING person', limit: '2', ...(cursor ? { cursor } : {}) });
    const r = await call(server, `/api/v1/interviews?${q}`, { cookie: cred.ivy });
    assert.equal(r.status, 200);
    assert.ok(r.body.interviews.length <= 2);
    seen.push(...r.body.interviews.map((iv) => iv.id));
    cursor = r.body.next_cursor;
    pages++;
  } while (cursor);
  assert.equal(pages, 3);
  assert.deepEqual(seen, [...ids].reverse());

  const item = (await call(server, `/api/v1/interviews?q=paging%20person%203`, { key: cred.ciKey })).body.interviews;
  assert.equal(item.length, 1);
  for (const k of ['id', 'script', 'candidate', 'status', 'created', 'updated', 'messages', 'scores', 'tags']) assert.ok(k in item[0], k);
  assert.equal(item[0].status, 'new');
  assert.equal(item[0].messages, 0);

  const fin = await call(server, '/api/v1/interviews?status=finished&q=paging', { key: cred.ciKey });
  assert.deepEqual(fin.body, { interviews: [], next_cursor: null });
  const other = await call(server, '/api/v1/interviews?script=broken', { key: cred.ciKey });
  assert.deepEqual(other.body.interviews, []);
  for (const [q, field] of [['status=done', 'status'], ['limit=0', 'limit'], ['limit=201', 'limit'], ['cursor=nope', 'cursor'], ['script=a/b', 'script']]) {
    assertError(await call(server, `/api/v1/interviews?${q}`, { key: cred.ciKey }), 400, 'bad_request', field);
  }
  assert.equal((await call(server, '/api/v1/interviews?limit=200', { key: cred.ciKey })).status, 200);
});

test('an unknown interview is 404, and so is a malformed id', async () => {
  assertError(await call(server, '/api/v1/interviews/0123456789abcdef', { key: cred.ciKey }), 404, 'not_found');
  assertError(await call(server, '/api/v1/interviews/zzz', { key: cred.ciKey }), 404, 'not_found');
});

// ---- one interview's operations, exports and statistics -----------------------------------------------

// A new interview of the two-question script DROP, made through the API with the ci key.
async function newDrop(candidate) {
  const r = await call(server, '/api/v1/interviews', { method: 'POST', body: { script: 'drop', candidate }, key: cred.ciKey });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

// A candidate connection on iv, which has sent each of msgs as a turn.
async function candidate(iv, msgs = []) {
  const c = await connect(iv.ws_url);
  for (const m of msgs) await c.turn(iv.id, m);
  return c;
}

test('close ends the interview: open candidate sockets get the closing frame, later messages interview_finished', async () => {
  const iv = await newDrop('Closable');
  const c = await candidate(iv, ['hi']);
  const other = await connect(iv.ws_url); // a second tab: it gets the frame too
  const r = await call(server, `/api/v1/interviews/${iv.id}/close`, { method: 'POST', cookie: cred.ivy, origin: true });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.id, iv.id);
  assert.equal(r.body.status, 'closed');
  assert.equal(r.body.messages, 2);
  for (const k of ['script', 'candidate', 'created', 'updated', 'scores', 'tags']) assert.ok(k in r.body, k);
  for (const sock of [c, other]) {
    const f = await sock.next((x) => x.done === true);
    assert.deepEqual(f, { message: 'This interview has been closed.', type: 'response', interview_id: iv.id, kind: 'end', done: true });
  }
  const refused = await c.turn(iv.id, 'one more thing');
  assert.equal(refused.at(-1).type, 'error');
  assert.equal(refused.at(-1).code, 'interview_finished');
  c.close();
  other.close();

  assert.equal((await call(server, `/api/v1/interviews/${iv.id}`, { key: cred.ciKey })).body.status, 'closed');
  assertError(await call(server, `/api/v1/interviews/${iv.id}/close`, { method: 'POST', key: cred.ciKey }), 409, 'conflict');
  const done = await newDrop('Finisher');
  (await candidate(done, ['hi', 'x', 'y'])).close();
  const fin = await call(server, `/api/v1/interviews/${done.id}/close`, { method: 'POST', key: cred.ciKey });
  assertError(fin, 409, 'conflict');
  assert.match(fin.body.error.message, /finished/);
  assertError(await call(server, '/api/v1/interviews/0123456789abcdef/close', { method: 'POST', key: cred.ciKey }), 404, 'not_found');
  assertError(await call(server, `/api/v1/interviews/${iv.id}/close`, { method: 'POST', cookie: cred.ivy, origin: 'http://evil.example' }), 403, 'forbidden');
});

test('link gives a new link on the request\'s origin; the old token stops at once and its open socket is closed', async () => {
  const iv = await newDrop('Relinked');
  const old = await candidate(iv, ['hi']);
  const r = await call(server, `/api/v1/interviews/${iv.id}/link`, { method: 'POST', key: cred.ciKey });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const { token, url, ws_url: wsUrl } = r.body;
  assert.equal(r.body.id, iv.id);
  assert.equal(r.body.script, 'drop');
  assert.equal(r.body.candidate, 'Relinked');
  assert.notEqual(token, iv.token);
  assert.equal(url, `${server.http}/?interview=${iv.id}&token=${token}`);
  assert.equal(wsUrl, `${server.ws}/v1?token=${token}`);
  const closed = await old.closed;
  assert.equal(closed.code, 4401);
  assert.match(closed.reason, /replaced/);
  await assert.rejects(connect(iv.ws_url), (e) => e.status === 401);
  const fresh = await connect(wsUrl);
  const replies = await fresh.turn(iv.id, 'carrying on');
  assert.equal(replies.at(-1).message, 'Second?');
  fresh.close();
  assertError(await call(server, '/api/v1/interviews/0123456789abcdef/link', { method: 'POST', key: cred.ciKey }), 404, 'not_found');
});

test('erase (admin) leaves nothing: 404 after, no trace in any database, the candidate socket closed', async () => {
  const secret = 'quokka-lighthouse-answer-9182';
  const iv = await newDrop('Erasable Person');
  const c = await candidate(iv, ['hi', secret]);
  const dump = async () => (await promisify(execFile)('mdb_dump', ['-a', '-p', data], { maxBuffer: 64 << 20 })).stdout;
  assert.ok((await dump()).includes(secret), 'the answer is stored before the erase');

  assertError(await call(server, `/api/v1/interviews/${iv.id}`, { method: 'DELETE', key: cred.ciKey }), 403, 'forbidden');
  const r = await call(server, `/api/v1/interviews/${iv.id}`, { method: 'DELETE', cookie: cred.admin, origin: true });
  assert.equal(r.status, 204);
  assert.equal(r.body, '');
  const closed = await c.closed;
  assert.equal(closed.code, 4404);
  assertError(await call(server, `/api/v1/interviews/${iv.id}`, { key: cred.ciKey }), 404, 'not_found');
  assertError(await call(server, `/api/v1/interviews/${iv.id}/transcript.md`, { key: cred.ciKey }), 404, 'not_found');
  assertError(await call(server, `/api/v1/interviews/${iv.id}`, { method: 'DELETE', key: cred.opsKey }), 404, 'not_found');
  const after = await dump();
  for (const trace of [secret, 'Erasable Person', iv.id]) assert.ok(!after.includes(trace), `${trace} is gone from every database`);
  await assert.rejects(connect(iv.ws_url), (e) => e.status === 401);
});

test('transcript.md is the Markdown transcript as a download', async () => {
  const iv = await newDrop('Mark Down');
  (await candidate(iv, ['hi', '# not a heading'])).close();
  const r = await call(server, `/api/v1/interviews/${iv.id}/transcript.md`, { key: cred.ciKey });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'text/markdown; charset=utf-8');
  assert.equal(r.headers.get('content-disposition'), `attachment; filename="interview-${iv.id}.md"`);
  assert.ok(r.body.startsWith('# Interview with Mark Down — drop\n'), r.body);
  assert.ok(r.body.includes('**Bot:** First?\n'));
  assert.ok(r.body.includes('**Candidate:** \\# not a heading\n'));
  assertError(await call(server, '/api/v1/interviews/0123456789abcdef/transcript.md', { key: cred.ciKey }), 404, 'not_found');
});

// A strict RFC 4180 reader: CRLF between records, quoted fields with doubled quotes; anything else throws.
function parseCsv(text) {
  const rows = [];
  let row = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (text[i] === '"') {
      for (i++; ; i++) {
        if (i >= text.length) throw new Error('unterminated quoted field');
        if (text[i] === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (text[i] === '"') { i++; break; } else field += text[i];
      }
    } else {
      while (i < text.length && !',\r\n"'.includes(text[i])) field += text[i++];
      if (text[i] === '"') throw new Error(`a quote inside an unquoted field at ${i}`);
    }
    row.push(field);
    if (text[i] === ',') { i++; continue; }
    if (text.startsWith('\r\n', i)) { rows.push(row); row = []; i += 2; if (i === text.length) return rows; continue; }
    throw new Error(`expected , or CRLF at ${i}, found ${JSON.stringify(text.slice(i, i + 10))}`);
  }
}

test('export.csv reads back with an RFC 4180 parser to exactly the answers; export.jsonl has the same data', async () => {
  const tricky = 'Built a parser, in C; it said "hello",\nthen quit';
  const iv = await newDrop('Ada "Countess" Lovelace, Jr.');
  (await candidate(iv, ['hi', tricky, 'plain'])).close();
  const r = await call(server, '/api/v1/export.csv?script=drop', { cookie: cred.ivy });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'text/csv; charset=utf-8');
  assert.equal(r.headers.get('content-disposition'), 'attachment; filename="drop.csv"');
  const [header, ...rows] = parseCsv(r.body);
  assert.deepEqual(header.slice(0, 7), ['id', 'candidate', 'status', 'created', 'finished', 'answer.a', 'answer.b']);
  const row = rows.find((x) => x[0] === iv.id);
  assert.ok(row, 'the interview has a row');
  const got = Object.fromEntries(header.map((h, k) => [h, row[k]]));
  assert.equal(got.candidate, 'Ada "Countess" Lovelace, Jr.');
  assert.equal(got.status, 'finished');
  assert.equal(got['answer.a'], tricky);
  assert.equal(got['answer.b'], 'plain');

  const j = await call(server, '/api/v1/export.jsonl?script=drop', { key: cred.ciKey });
  assert.equal(j.status, 200);
  assert.equal(j.headers.get('content-type'), 'application/x-ndjson');
  assert.equal(j.headers.get('content-disposition'), 'attachment; filename="drop.jsonl"');
  assert.ok(j.body.endsWith('\n'));
  const line = j.body.trimEnd().split('\n').map((l) => JSON.parse(l)).find((l) => l.id === iv.id);
  assert.deepEqual(line.answers, { a: tricky, b: 'plain' });
  assert.equal(line.status, 'finished');

  const none = await call(server, '/api/v1/export.csv?script=nothing_here', { key: cred.ciKey });
  assert.equal(none.status, 200);
  assert.deepEqual(parseCsv(none.body), [['id', 'candidate', 'status', 'created', 'finished', 'tags']]);
  for (const q of ['', '?script=', '?script=../etc', '?scrip=drop']) {
    assertError(await call(server, `/api/v1/export.csv${q}`, { key: cred.ciKey }), 400, 'bad_request', 'script');
    assertError(await call(server, `/api/v1/export.jsonl${q}`, { key: cred.ciKey }), 400, 'bad_request', 'script');
  }
});

test('stats count each status of a script and where the unfinished ones stopped', async () => {
  const make = async (name, msgs) => {
    const r = await call(server, '/api/v1/interviews', { method: 'POST', body: { script: 'tally', candidate: name }, key: cred.ciKey });
    if (msgs) (await candidate(r.body, msgs)).close();
    return r.body;
  };
  await make('never started');
  await make('stopped at first', ['hi']);
  await make('stopped at second', ['hi', 'x']);
  await make('finished', ['hi', 'x', 'y']);
  const closed = await make('closed at first', ['hi']);
  assert.equal((await call(server, `/api/v1/interviews/${closed.id}/close`, { method: 'POST', key: cred.ciKey })).status, 200);
  const r = await call(server, '/api/v1/stats?script=tally', { cookie: cred.ivy });
  assert.equal(r.status, 200);
  assert.deepEqual(r.body, {
    script: 'tally', total: 5, new: 1, active: 2, finished: 1, closed: 1, started: 4,
    dropoff: [{ question: 'First?', count: 2 }, { question: 'Second?', count: 1 }],
  });
  assertError(await call(server, '/api/v1/stats', { key: cred.ciKey }), 400, 'bad_request', 'script');
});

// ---- users and keys -----------------------------------------------------------------------------------

test('admins add users (with a generated password shown once) and remove them', async () => {
  const r = await call(server, '/api/v1/users', { method: 'POST', body: { name: 'newhire' }, cookie: cred.admin, origin: true });
  assert.equal(r.status, 201);
  assert.equal(r.body.name, 'newhire');
  assert.equal(r.body.role, 'interviewer');
  assert.match(r.body.password, /^[A-Za-z0-9_-]{24}$/);
  const cookie = await signIn(server, 'newhire', r.body.password);

  const withPw = await call(server, '/api/v1/users', { method: 'POST', body: { name: 'second.admin', role: 'admin', password: PW }, key: cred.opsKey });
  assert.equal(withPw.status, 201);
  assert.deepEqual(withPw.body, { name: 'second.admin', role: 'admin' });
  const list = await call(server, '/api/v1/users', { key: cred.opsKey });
  assert.deepEqual(list.body.map((u) => u.name).filter((n) => ['newhire', 'second.admin'].includes(n)), ['newhire', 'second.admin']);
  assert.ok(!JSON.stringify(list.body).match(/argon2|password|hash/));

  assertError(await call(server, '/api/v1/users', { method: 'POST', body: { name: 'newhire' }, key: cred.opsKey }), 409, 'conflict');
  assertError(await call(server, '/api/v1/users', { method: 'POST', body: { name: 'bad name' }, key: cred.opsKey }), 400, 'bad_request', 'name');
  assertError(await call(server, '/api/v1/users', { method: 'POST', body: { name: 'x', role: 'owner' }, key: cred.opsKey }), 400, 'bad_request', 'role');
  assertError(await call(server, '/api/v1/users', { method: 'POST', body: { name: 'x', password: 'short' }, key: cred.opsKey }), 400, 'bad_request', 'password');

  assert.equal((await call(server, '/api/v1/users/newhire', { method: 'DELETE', key: cred.opsKey })).status, 204);
  assertError(await call(server, '/api/v1/me', { cookie }), 401, 'unauthorized');
  assertError(await call(server, '/api/v1/users/newhire', { method: 'DELETE', key: cred.opsKey }), 404, 'not_found');
  assert.equal((await call(server, '/api/v1/users/second.admin', { method: 'DELETE', key: cred.opsKey })).status, 204);
  const last = await call(server, '/api/v1/users/boss', { method: 'DELETE', key: cred.opsKey });
  assertError(last, 409, 'conflict');
  assert.match(last.body.error.message, /last admin/);
});

test('admins add API keys (shown once) that work at once and stop when removed', async () => {
  const r = await call(server, '/api/v1/apikeys', { method: 'POST', body: { label: 'nightly-export' }, cookie: cred.admin, origin: true });
  assert.equal(r.status, 201);
  assert.equal(r.body.label, 'nightly-export');
  assert.equal(r.body.role, 'interviewer');
  assert.match(r.body.key, /^ivk_[A-Za-z0-9_-]{43}$/);
  assert.deepEqual((await call(server, '/api/v1/me', { key: r.body.key })).body, { name: 'nightly-export', role: 'interviewer', apikey: true });
  const list = await call(server, '/api/v1/apikeys', { key: cred.opsKey });
  assert.ok(list.body.some((k) => k.label === 'nightly-export'));
  assert.ok(!JSON.stringify(list.body).includes(r.body.key));
  assertError(await call(server, '/api/v1/apikeys', { method: 'POST', body: { label: 'nightly-export' }, key: cred.opsKey }), 409, 'conflict');
  assertError(await call(server, '/api/v1/apikeys', { method: 'POST', body: { label: '' }, key: cred.opsKey }), 400, 'bad_request', 'label');
  // A key never opens the candidate WebSocket.
  await assert.rejects(connect(`${server.ws}/v1?token=${r.body.key}`), (e) => e.status === 401);
  assert.equal((await call(server, '/api/v1/apikeys/nightly-export', { method: 'DELETE', key: cred.opsKey })).status, 204);
  assertError(await call(server, '/api/v1/me', { key: r.body.key }), 401, 'unauthorized');
  assertError(await call(server, '/api/v1/apikeys/nightly-export', { method: 'DELETE', key: cred.opsKey }), 404, 'not_found');
});

// ---- bounds and odd requests --------------------------------------------------------------------------

test('a 1 MiB body is refused with 413, and a declared huge one before it is sent', async () => {
  const big = JSON.stringify({ script: 'demo', candidate: 'x'.repeat(1 << 20) });
  assertError(await call(server, '/api/v1/interviews', { method: 'POST', body: big, key: cred.ciKey }), 413, 'too_large');
  const reply = await raw(server, `POST /api/v1/interviews HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${cred.ciKey}\r\n`
    + 'Content-Type: application/json\r\nContent-Length: 10000000000\r\n\r\n{');
  assert.match(reply, /^HTTP\/1\.1 413/);
  assert.match(reply, /"code":"too_large"/);
  // Just under the bound is read and judged on its content.
  const near = JSON.stringify({ script: 'demo', candidate: 'x'.repeat(60000) });
  assertError(await call(server, '/api/v1/interviews', { method: 'POST', body: near, key: cred.ciKey }), 400, 'bad_request', 'candidate');
});

test('a wrong method is 405 with Allow', async () => {
  const r = await call(server, '/api/v1/interviews', { method: 'PUT', body: {}, key: cred.ciKey });
  assertError(r, 405, 'method_not_allowed');
  assert.equal(r.headers.get('allow'), 'GET, POST');
  assert.equal((await call(server, '/api/v1/session', {})).headers.get('allow'), 'POST, DELETE');
});

test('odd paths (very long, %00, dot segments, unknown) get 400 or 404 and the server carries on', async () => {
  assertError(await call(server, `/api/v1/${'a'.repeat(5000)}`, { key: cred.ciKey }), 404, 'not_found');
  assertError(await call(server, '/api/v1/me%00', { key: cred.ciKey }), 400, 'bad_request');
  assertError(await call(server, '/api/v1/interviews/%00', { key: cred.ciKey }), 400, 'bad_request');
  assertError(await call(server, '/api/v1/nope', { key: cred.ciKey }), 404, 'not_found');
  assertError(await call(server, '/api/v2/me', { key: cred.ciKey }), 404, 'not_found');
  for (const p of ['/api/v1/../v1/me', '/api/v1/%2e%2e/me', '/api/v1/./me']) {
    const reply = await raw(server, `GET ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${cred.ciKey}\r\nConnection: close\r\n\r\n`);
    assert.match(reply, /^HTTP\/1\.1 (400|404)/, p);
  }
  const huge = await raw(server, `GET /api/v1/${'a'.repeat(64 * 1024)} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`).catch(() => '');
  assert.doesNotMatch(huge, /^HTTP\/1\.1 2/);
  assert.equal((await call(server, '/api/v1/me', { key: cred.ciKey })).status, 200, 'still serving');
});

test('the log has one line per request and never a password, cookie, key or token', async () => {
  const cookie = await signIn(server, 'ivy');
  await call(server, '/api/v1/interviews?q=secret-query', { cookie });
  const made = await call(server, '/api/v1/interviews', { method: 'POST', body: { script: 'demo', candidate: 'Logged' }, key: cred.ciKey });
  const log = server.log;
  assert.match(log, /INFO +api POST \/api\/v1\/session 200 ivy\n/);
  assert.match(log, /INFO +api GET \/api\/v1\/interviews 200 ivy\n/);
  assert.match(log, /INFO +api POST \/api\/v1\/interviews 201 key:ci\n/);
  for (const secret of [PW, cookie, cred.ciKey, cred.opsKey, made.body.token, 'secret-query']) assert.ok(!log.includes(secret), 'a secret in the log');
});

// The limit is per name and per client address; every request here comes from 127.0.0.1, so this test
// has a server (and data directory) of its own.
test('the eleventh failed sign-in in 15 minutes is 429 with Retry-After, for every name from that address', async () => {
  const own = await startServer();
  try {
    const body = { name: 'someone', password: 'guess guess guess' };
    for (let i = 0; i < 10; i++) assertError(await call(own, '/api/v1/session', { method: 'POST', body }), 401, 'unauthorized');
    const r = await call(own, '/api/v1/session', { method: 'POST', body });
    assertError(r, 429, 'rate_limited');
    const wait = Number(r.headers.get('retry-after'));
    assert.ok(Number.isInteger(wait) && wait > 0 && wait <= 900, `Retry-After: ${r.headers.get('retry-after')}`);
    assertError(await call(own, '/api/v1/session', { method: 'POST', body: { name: 'other', password: 'x'.repeat(10) } }), 429, 'rate_limited');
  } finally {
    await own.stop();
    own.cleanup();
  }
});

test('thirty wrong sign-ins sent at once get at most ten 401s; the rest, and then the right password, get 429', async () => {
  const own = await startServer();
  try {
    const add = await cli(['user', 'add', 'racer', '--password-stdin', '--data', own.dataDir], { input: 'the right password\n' });
    assert.equal(add.code, 0, add.stderr);
    const body = { name: 'racer', password: 'a wrong guess' };
    const all = await Promise.all(Array.from({ length: 30 }, () => call(own, '/api/v1/session', { method: 'POST', body })));
    const counts = all.reduce((m, r) => ({ ...m, [r.status]: (m[r.status] || 0) + 1 }), {});
    assert.ok((counts[401] || 0) <= 10, `at most ten guesses checked: ${JSON.stringify(counts)}`);
    assert.equal((counts[401] || 0) + (counts[429] || 0), 30, JSON.stringify(counts));
    assertError(await call(own, '/api/v1/session', { method: 'POST', body: { name: 'racer', password: 'the right password' } }), 429, 'rate_limited');
  } finally {
    await own.stop();
    own.cleanup();
  }
});
