// Hardened responses: every page response (the candidate page, the console, an asset, the not-built 404)
// carries the strict Content-Security-Policy and its companions; API answers are never cached or sniffed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, tempDir } from '../lib/server.mjs';

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
  server = await startServer({ www });
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
