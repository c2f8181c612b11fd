// The right link: `serve` records the address it serves (the port it actually bound, or --public-url) in
// the data directory, and `new` and `demo` print links to it unless --url or INTERVIEWD_URL says otherwise.
// With no server ever run there, the link assumes the default and a warning says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { cli, startServer, tempDir, scriptsDir } from '../lib/server.mjs';
import { connect } from '../lib/ws.mjs';

// The environment without INTERVIEWD_URL, plus extra.
function env(extra = {}) {
  const e = { ...process.env, ...extra };
  if (!('INTERVIEWD_URL' in extra)) delete e.INTERVIEWD_URL;
  return e;
}

async function newLink(data, { args = [], extraEnv = {} } = {}) {
  const r = await cli(['new', '--script', 'demo', '--json', '--data', data, '--scripts', scriptsDir, ...args],
    { env: env(extraEnv) });
  assert.equal(r.code, 0, r.stderr);
  return { ...JSON.parse(r.stdout), stderr: r.stderr };
}

const WARNING = /no server has run on this data directory; the link assumes http:\/\/127\.0\.0\.1:8080 — start `interviewd serve --data \S+` or pass --url/;

test('with no server ever run on the data directory, new and demo warn beside the default link', async () => {
  const data = tempDir();
  try {
    const iv = await newLink(data);
    assert.ok(iv.url.startsWith('http://127.0.0.1:8080/?interview='), iv.url);
    assert.match(iv.stderr, WARNING);
    const demo = await cli(['demo', '--data', data, '--scripts', scriptsDir], { env: env() });
    assert.equal(demo.code, 0, demo.stderr);
    assert.match(demo.stdout, /link {7}http:\/\/127\.0\.0\.1:8080\/\?interview=/);
    assert.match(demo.stderr, WARNING);
  } finally { rmSync(data, { recursive: true, force: true }); }
});

test('after serve on an ephemeral port, new and demo print links to that port, and the link works', async () => {
  const server = await startServer();
  try {
    assert.match(server.log, new RegExp(`candidate links: http://127\\.0\\.0\\.1:${server.port} `));
    const iv = await newLink(server.dataDir);
    assert.equal(iv.stderr, '', 'no warning: a server is known');
    assert.ok(iv.url.startsWith(`http://127.0.0.1:${server.port}/?interview=${iv.interview_id}&token=`), iv.url);
    assert.equal(iv.ws_url, `ws://127.0.0.1:${server.port}/v1?token=${iv.token}`);
    const c = await connect(iv.ws_url);
    try {
      const [hello] = await c.turn(iv.interview_id, 'hello');
      assert.equal(hello.type, 'response', JSON.stringify(hello));
    } finally { c.close(); }
    const demo = await cli(['demo', '--data', server.dataDir, '--scripts', scriptsDir], { env: env() });
    assert.equal(demo.code, 0, demo.stderr);
    assert.match(demo.stdout, new RegExp(`link {7}http://127\\.0\\.0\\.1:${server.port}/\\?interview=`));
    assert.equal(demo.stderr, '');
  } finally {
    await server.stop();
    server.cleanup();
  }
});

test('the address stays recorded after the server stops, and the next serve replaces it', async () => {
  const data = tempDir();
  try {
    const first = await startServer({ dataDir: data });
    await first.stop();
    assert.ok((await newLink(data)).url.startsWith(`http://127.0.0.1:${first.port}/`));
    const second = await startServer({ dataDir: data });
    try {
      assert.ok((await newLink(data)).url.startsWith(`http://127.0.0.1:${second.port}/`));
    } finally { await second.stop(); }
  } finally { rmSync(data, { recursive: true, force: true }); }
});

test('serve --public-url is what new links to, over the address it listens on', async () => {
  const server = await startServer({ extraArgs: ['--public-url', 'https://interviews.example.com/acme'] });
  try {
    assert.match(server.log, /candidate links: https:\/\/interviews\.example\.com\/acme /);
    const iv = await newLink(server.dataDir);
    assert.ok(iv.url.startsWith(`https://interviews.example.com/acme/?interview=${iv.interview_id}&token=`), iv.url);
    assert.equal(iv.ws_url, `wss://interviews.example.com/acme/v1?token=${iv.token}`);
  } finally {
    await server.stop();
    server.cleanup();
  }
});

test('INTERVIEWD_URL wins over the recorded address, and --url over both', async () => {
  const server = await startServer();
  try {
    const fromEnv = await newLink(server.dataDir, { extraEnv: { INTERVIEWD_URL: 'http://env.example:8000' } });
    assert.ok(fromEnv.url.startsWith('http://env.example:8000/?interview='), fromEnv.url);
    assert.equal(fromEnv.stderr, '');
    const fromFlag = await newLink(server.dataDir,
      { args: ['--url', 'https://flag.example'], extraEnv: { INTERVIEWD_URL: 'http://env.example:8000' } });
    assert.ok(fromFlag.url.startsWith('https://flag.example/?interview='), fromFlag.url);
  } finally {
    await server.stop();
    server.cleanup();
  }
});

test('a --public-url, --url or INTERVIEWD_URL that is not http(s)://host[:port][/path] is refused with exit 2', async () => {
  const data = tempDir();
  try {
    // A serve that wrongly started would run until killed: the timeout turns that into a failure.
    const serve = await cli(['serve', '--listen', '127.0.0.1:0', '--data', data, '--scripts', scriptsDir,
      '--public-url', 'interviews.example.com'], { timeout: 5000 });
    assert.equal(serve.code, 2, serve.stderr);
    assert.match(serve.stderr, /--public-url 'interviews\.example\.com' is not a URL of the form http\(s\):\/\/host\[:port\]\[\/path\]: it must start with http:\/\/ or https:\/\//);
    assert.ok(!/listening on/.test(serve.stderr));
    for (const [args, extraEnv, named] of [
      [['--url', 'http://host:0'], {}, '--url'],
      [[], { INTERVIEWD_URL: 'http://host/a?b' }, '\\$INTERVIEWD_URL'],
    ]) {
      const r = await cli(['new', '--script', 'demo', '--data', data, '--scripts', scriptsDir, ...args], { env: env(extraEnv) });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`${named} '.*' is not a URL`), r.stderr);
      assert.equal(r.stdout, '');
    }
    const list = await cli(['list', '--json', '--data', data]);
    assert.deepEqual(JSON.parse(list.stdout), [], 'nothing was created');
  } finally { rmSync(data, { recursive: true, force: true }); }
});
