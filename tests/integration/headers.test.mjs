// Hardened responses: every page response (the candidate page, the console, an asset, the not-built 404)
// carries the strict Content-Security-Policy and its companions; API answers are never cached or sniffed. A
// browser's WebSocket handshake (/v1 and /v1/watch) from a foreign Origin is refused with 403 before the
// upgrade; the server's own origin, an --allowed-origin, and clients that send no Origin get through.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cli, startServer, tempDir } from '../lib/server.mjs';
import { connect } from '../lib/ws.mjs';

const CSP = "default-src 'self'; connect-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
  + "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";

function assertHardened(r, what) {
  assert.equal(r.headers.get('content-security-policy'), CSP, what);
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff', what);
  assert.equal(r.headers.get('referrer-policy'), 'no-referrer', what);
  assert.equal(r.headers.get('x-frame-options'), 'DENY', what);
  const pp = r.headers.get('permissions-policy') || '';
  for (const feature of ['camera', 'microphone', 'geolocation']) assert.match(pp, new RegExp(`${feature}=\\(\\)`), what);
}

let server, top, www, bare;
before(async () => {
  top = tempDir('interviewd-headers-');
  www = path.join(top, 'dist');
  mkdirSync(path.join(www, 'assets'), { recursive: true });
  writeFileSync(path.join(www, 'index.html'), '<!doctype html><title>page</title>');
  writeFileSync(path.join(www, 'console.html'), '<!doctype html><title>console</title>');
  writeFileSync(path.join(www, 'assets', 'app-3f9a1c.js'), 'console.log(1)');
  server = await startServer({ www, extraArgs: ['--allowed-origin', 'https://Interview.Example.com', '--allowed-origin', 'http://localhost:5173'] });
  bare = await startServer({ www: path.join(top, 'not-built') });
});
after(async () => {
  await server.stop();
  server.cleanup();
  await bare.stop();
  bare.cleanup();
  rmSync(top, { recursive: true, force: true });
});

test('the candidate page, the console and an asset carry the strict policy and its companions', async () => {
  for (const p of ['/', '/console/', '/assets/app-3f9a1c.js']) {
    const r = await fetch(`${server.http}${p}`);
    assert.equal(r.status, 200, p);
    assertHardened(r, p);
  }
});

test('the page-not-built 404 and a missing asset carry them too', async () => {
  for (const [s, p] of [[bare, '/'], [bare, '/console/'], [server, '/assets/gone-000000.js']]) {
    const r = await fetch(`${s.http}${p}`);
    assert.equal(r.status, 404, p);
    assertHardened(r, p);
  }
});

test('API answers are never cached and never sniffed', async () => {
  for (const p of ['/api/v1/me', '/api/v1/nothing-here']) {
    const r = await fetch(`${server.http}${p}`);
    assert.ok(r.status >= 400, p);
    assert.equal(r.headers.get('cache-control'), 'no-store', p);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff', p);
  }
});

// Resolves the handshake's HTTP status: 101 when it upgraded, else the refusal's.
async function handshake(url, headers) {
  try {
    const c = await connect(url, { headers });
    c.close();
    return 101;
  } catch (e) {
    if (!e.status) throw e;
    return e.status;
  }
}

test('a candidate handshake from a foreign Origin is refused with 403; own, allowed or no Origin upgrade', async () => {
  const iv = await server.newInterview();
  const url = `${server.ws}/v1?token=${iv.token}`;
  assert.equal(await handshake(url, { origin: 'https://evil.example' }), 403);
  // Same host, other scheme or port: another origin.
  assert.equal(await handshake(url, { origin: `https://127.0.0.1:${server.port}` }), 403);
  assert.equal(await handshake(url, { origin: `http://127.0.0.1:${server.port + 1}` }), 403);
  assert.equal(await handshake(url, { origin: 'null' }), 403);
  assert.equal(await handshake(url, { origin: server.http }), 101);
  assert.equal(await handshake(url), 101);
  assert.equal(await handshake(url, { origin: 'https://interview.example.com' }), 101);
  assert.equal(await handshake(url, { origin: 'http://localhost:5173' }), 101);
  // Before the token is looked at: a foreign page learns nothing about a token.
  assert.equal(await handshake(`${server.ws}/v1?token=garbage`, { origin: 'https://evil.example' }), 403);
  assert.match(server.log, /refused \/v1 from .*Origin https:\/\/evil\.example/);
});

test('the live view checks Origin the same way, ahead of its credentials', async () => {
  const r = await cli(['apikey', 'add', 'origin-test', '--role', 'interviewer', '--json', '--data', server.dataDir]);
  assert.equal(r.code, 0, r.stderr);
  const auth = { authorization: `Bearer ${JSON.parse(r.stdout).key}` };
  const url = `${server.ws}/v1/watch?all=1`;
  assert.equal(await handshake(url, { ...auth, origin: 'https://evil.example' }), 403);
  assert.equal(await handshake(url, { ...auth, origin: server.http }), 101);
  assert.equal(await handshake(url, auth), 101);
  assert.equal(await handshake(url, { ...auth, origin: 'https://interview.example.com' }), 101);
});

test('an --allowed-origin that is not an origin stops serve with a clear message', async () => {
  for (const bad of ['https://ok.example/', 'https://ok.example/path', 'ftp://ok.example', 'ok.example']) {
    const r = await cli(['serve', '--allowed-origin', bad, '--data', server.dataDir, '--listen', '127.0.0.1:0']);
    assert.equal(r.code, 2, bad);
    assert.match(r.stderr, /--allowed-origin/, bad);
  }
});

test("--public-url's origin is allowed too: behind a TLS proxy the Host says http, the page https", async () => {
  const pub = await startServer({ extraArgs: ['--public-url', 'https://jobs.example:8443/screen'] });
  try {
    const iv = await pub.newInterview();
    const url = `${pub.ws}/v1?token=${iv.token}`;
    assert.equal(await handshake(url, { origin: 'https://jobs.example:8443' }), 101);
    assert.equal(await handshake(url, { origin: 'https://jobs.example' }), 403);
  } finally { await pub.stop(); pub.cleanup(); }
});
