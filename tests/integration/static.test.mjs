// The page build served by the binary: content types, caching (hashed assets for a year, the rest
// revalidated), index.html for the page's own routes, 404 for missing files, no path escapes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { startServer, tempDir } from '../lib/server.mjs';

let server, top, www;
before(async () => {
  top = tempDir('interviewd-www-');
  www = path.join(top, 'dist');
  mkdirSync(path.join(www, 'assets'), { recursive: true });
  writeFileSync(path.join(www, 'index.html'), '<!doctype html><title>page</title>');
  writeFileSync(path.join(www, 'console.html'), '<!doctype html><title>console</title>');
  writeFileSync(path.join(www, 'assets', 'app-3f9a1c.js'), 'console.log(1)');
  writeFileSync(path.join(www, 'assets', 'app-3f9a1c.css'), 'body{}');
  writeFileSync(path.join(top, 'secret.txt'), 'outside the page build');
  server = await startServer({ www });
});
after(async () => {
  await server.stop();
  server.cleanup();
  rmSync(top, { recursive: true, force: true });
});

test('index.html is served as HTML that revalidates, with a policy that keeps the token out of referrers', async () => {
  const r = await fetch(`${server.http}/`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/html/);
  assert.equal(r.headers.get('cache-control'), 'no-cache');
  assert.equal(r.headers.get('referrer-policy'), 'no-referrer');
  assert.match(r.headers.get('content-security-policy'), /default-src 'self'/);
  assert.equal(await r.text(), '<!doctype html><title>page</title>');
});

test('the console answers at /console and every path under it; other paths stay the candidate page', async () => {
  for (const p of ['/console', '/console/', '/console/interviews/abc']) {
    const r = await fetch(`${server.http}${p}`);
    assert.equal(r.status, 200, p);
    assert.equal(r.headers.get('cache-control'), 'no-cache', p);
    assert.equal(await r.text(), '<!doctype html><title>console</title>', p);
  }
  for (const p of ['/consoles', '/interview/console']) {
    const r = await fetch(`${server.http}${p}`);
    assert.equal(await r.text(), '<!doctype html><title>page</title>', p);
  }
});

test('hashed assets get their content type and are cached for a year', async () => {
  const js = await fetch(`${server.http}/assets/app-3f9a1c.js`);
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type'), /javascript/);
  assert.equal(js.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.equal(await js.text(), 'console.log(1)');
  const css = await fetch(`${server.http}/assets/app-3f9a1c.css`);
  assert.match(css.headers.get('content-type'), /^text\/css/);
});

test('an unknown route gets index.html; a missing file or asset is a 404', async () => {
  const route = await fetch(`${server.http}/interview/somewhere`);
  assert.equal(route.status, 200);
  assert.equal(await route.text(), '<!doctype html><title>page</title>');
  assert.equal((await fetch(`${server.http}/missing.js`)).status, 404);
  assert.equal((await fetch(`${server.http}/assets/gone-000000.js`)).status, 404);
});

test('HEAD has headers and no body; other methods are 405', async () => {
  const head = await fetch(`${server.http}/`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(await head.text(), '');
  assert.equal((await fetch(`${server.http}/`, { method: 'POST', body: 'x' })).status, 405);
});

test('a path that climbs out of the page build is refused', async () => {
  // Sent raw: fetch() would normalise the dots away before they reach the server.
  const reply = await new Promise((resolve, reject) => {
    const s = net.connect(server.port, '127.0.0.1', () => s.write('GET /../secret.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
    let data = '';
    s.on('data', (c) => { data += c; });
    s.on('end', () => resolve(data));
    s.on('error', reject);
  });
  assert.doesNotMatch(reply, /outside the page build/);
  assert.match(reply, /^HTTP\/1\.1 (400|404)/);
});

test('without a page build the server says how to build it', async () => {
  const bare = await startServer({ www: path.join(www, 'not-built') });
  try {
    const r = await fetch(`${bare.http}/`);
    assert.equal(r.status, 404);
    assert.match(await r.text(), /the candidate page is not built; run `make page`/);
    const c = await fetch(`${bare.http}/console/`);
    assert.equal(c.status, 404);
    assert.match(await c.text(), /the console is not built; run `make page`/);
  } finally {
    await bare.stop();
    bare.cleanup();
  }
});
