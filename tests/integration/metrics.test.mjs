// The operator's probes: /healthz says ok with no credentials; /metrics is Prometheus text that follows
// the traffic (a candidate turn shows in the turn counter and the turn histogram), answers loopback
// clients when no --metrics-token is set, and wants exactly that bearer token when one is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { bin, startServer, tempDir, scriptsDir } from '../lib/server.mjs';
import { connect } from '../lib/ws.mjs';

// A small parser of the text format (0.0.4): every line is "# HELP name text", "# TYPE name type" or
// "name{label="value",...} number"; anything else throws. Returns the samples and each name's type.
function parseProm(text) {
  const types = new Map();
  const samples = [];
  assert.ok(text.endsWith('\n'), 'the text ends with a newline');
  for (const line of text.slice(0, -1).split('\n')) {
    let m;
    if ((m = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line))) continue;
    if ((m = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line))) {
      assert.ok(!types.has(m[1]), `one TYPE line for ${m[1]}`);
      types.set(m[1], m[2]);
      continue;
    }
    m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `a sample line: ${JSON.stringify(line)}`);
    const labels = {};
    if (m[2] !== undefined) {
      const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\["\\n])*)"(,|$)/y;
      let lm;
      while (re.lastIndex < m[2].length && (lm = re.exec(m[2]))) labels[lm[1]] = lm[2];
      assert.equal(re.lastIndex, m[2].length, `labels parse: ${m[2]}`);
    }
    const value = m[3] === '+Inf' ? Infinity : Number(m[3]);
    assert.ok(!Number.isNaN(value), `a number: ${m[3]}`);
    samples.push({ name: m[1], labels, value });
  }
  for (const s of samples) {
    const base = s.name.replace(/_(bucket|sum|count)$/, '');
    assert.ok(types.has(s.name) || types.get(base) === 'histogram', `${s.name} has a TYPE`);
  }
  return { types, samples };
}

const value = (p, name, labels = {}) => {
  const s = p.samples.find((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v));
  return s ? s.value : undefined;
};

async function scrape(server, headers = {}) {
  const r = await fetch(`${server.http}/metrics`, { headers });
  return { status: r.status, type: r.headers.get('content-type'), text: await r.text() };
}

test('/healthz answers 200 ok without credentials', async () => {
  const server = await startServer();
  try {
    const r = await fetch(`${server.http}/healthz`);
    assert.equal(r.status, 200);
    assert.equal(await r.text(), 'ok\n');
  } finally {
    await server.stop();
    server.cleanup();
  }
});

test('/metrics from loopback without a token follows a candidate turn', async () => {
  const server = await startServer();
  try {
    const before = await scrape(server);
    assert.equal(before.status, 200, before.text);
    assert.match(before.type, /^text\/plain; version=0\.0\.4/);
    const p0 = parseProm(before.text);
    for (const [name, type] of p0.types) {
      assert.ok(name.startsWith('interviewd_'), name);
      if (type === 'histogram') {
        // Buckets are cumulative and the +Inf one equals the count.
        const buckets = p0.samples.filter((s) => s.name === `${name}_bucket`);
        for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i].value >= buckets[i - 1].value, name);
        assert.equal(buckets.at(-1).labels.le, '+Inf');
        assert.equal(buckets.at(-1).value, value(p0, `${name}_count`));
      }
    }
    for (const name of ['interviewd_turns_total', 'interviewd_websockets_open', 'interviewd_turn_seconds',
      'interviewd_commit_seconds', 'interviewd_turns_per_commit', 'interviewd_lmdb_map_bytes',
      'interviewd_lmdb_used_bytes', 'interviewd_lua_states', 'interviewd_lua_memory_bytes',
      'interviewd_script_errors_total', 'interviewd_handshakes_refused_total', 'interviewd_interviews']) {
      assert.ok(p0.types.has(name), `${name} is exposed`);
    }
    assert.ok(value(p0, 'interviewd_lmdb_map_bytes') >= value(p0, 'interviewd_lmdb_used_bytes'));
    assert.ok(value(p0, 'interviewd_lmdb_used_bytes') > 0);

    const iv = await server.newInterview('demo');
    const c = await connect(iv.ws_url);
    try {
      const frames = await c.turn(iv.interview_id, 'hello');
      assert.equal(frames[0].type, 'response', JSON.stringify(frames));
      const during = parseProm((await scrape(server)).text);
      assert.equal(value(during, 'interviewd_websockets_open'), 1);
      assert.ok(value(during, 'interviewd_lua_states') >= 1);
      assert.ok(value(during, 'interviewd_lua_memory_bytes') > 0);
    } finally { c.close(); }
    // A refused handshake is counted by its reason.
    await assert.rejects(connect(`${server.ws}/v1?token=nope`), (e) => e.status === 401);

    const after = parseProm((await scrape(server)).text);
    assert.ok(value(after, 'interviewd_turns_total') >= 1);
    assert.ok(value(after, 'interviewd_turn_seconds_count') > value(p0, 'interviewd_turn_seconds_count'));
    assert.ok(value(after, 'interviewd_commit_seconds_count') > value(p0, 'interviewd_commit_seconds_count'));
    assert.ok(value(after, 'interviewd_turns_per_commit') > 0);
    assert.equal(value(after, 'interviewd_handshakes_refused_total', { reason: 'invalid_token' }), 1);
  } finally {
    await server.stop();
    server.cleanup();
  }
});

test('/metrics with --metrics-token wants that bearer token', async () => {
  const token = 'metrics-secret-0123456789';
  const server = await startServer({ extraArgs: ['--metrics-token', token] });
  try {
    const none = await scrape(server);
    assert.equal(none.status, 401);
    assert.ok(!none.text.includes('interviewd_'), 'no metrics without the token');
    const wrong = await scrape(server, { Authorization: 'Bearer metrics-secret-0123456780' });
    assert.equal(wrong.status, 403);
    assert.ok(!wrong.text.includes('interviewd_'));
    const basic = await scrape(server, { Authorization: `Basic ${token}` });
    assert.equal(basic.status, 401);
    const right = await scrape(server, { Authorization: `Bearer ${token}` });
    assert.equal(right.status, 200);
    assert.ok(parseProm(right.text).types.has('interviewd_turns_total'));
    // /healthz stays open.
    assert.equal((await fetch(`${server.http}/healthz`)).status, 200);
  } finally {
    await server.stop();
    server.cleanup();
  }
});

test('serve refuses a --metrics-token too short to be a secret', async () => {
  const data = tempDir();
  const proc = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--data', data, '--scripts', scriptsDir,
    '--metrics-token', 'short'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr.on('data', (c) => { err += c; });
  const code = await new Promise((resolve) => proc.on('exit', resolve));
  rmSync(data, { recursive: true, force: true });
  assert.equal(code, 2);
  assert.match(err, /--metrics-token takes 16 to 256 printable characters/);
});

// Without a token only this host may scrape: reach the server through a non-loopback address of this
// machine (when it has one) and it answers 403.
test('/metrics without a token refuses a client that is not on loopback', async (t) => {
  const addr = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal);
  if (!addr) { t.skip('no non-loopback IPv4 address on this machine'); return; }
  const data = tempDir();
  const proc = spawn(bin, ['serve', '--listen', `${addr.address}:0`, '--data', data, '--scripts', scriptsDir],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise((resolve) => proc.on('exit', resolve));
  try {
    let log = '';
    const port = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "listening on" within 10 s:\n${log}`)), 10000);
      proc.stderr.on('data', (c) => {
        log += c;
        const m = /listening on http:\/\/[^:]+:(\d+)/.exec(log);
        if (m) { clearTimeout(timer); resolve(Number(m[1])); }
      });
    });
    const r = await fetch(`http://${addr.address}:${port}/metrics`);
    assert.equal(r.status, 403);
    assert.ok(!(await r.text()).includes('interviewd_'));
    assert.equal((await fetch(`http://${addr.address}:${port}/healthz`)).status, 200);
  } finally {
    proc.kill('SIGTERM');
    await exited;
    rmSync(data, { recursive: true, force: true });
  }
});
