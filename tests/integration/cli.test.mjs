// The CLI's contract: new/list/show --json, a clear failure for an unknown script, --help for every command.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cli, tempDir, scriptsDir } from '../lib/server.mjs';

const COMMANDS = ['serve', 'new', 'list', 'show', 'demo', 'check', 'try', 'replay', 'migrate'];
let data;
before(() => { data = tempDir(); });
after(() => { rmSync(data, { recursive: true, force: true }); });

async function newInterview(extra = []) {
  const r = await cli(['new', '--script', 'demo', '--candidate', 'Grace', '--json', '--data', data, '--scripts', scriptsDir,
    '--url', 'http://127.0.0.1:9999', ...extra]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('new --json prints interview_id, token, url and ws_url', async () => {
  const iv = await newInterview();
  assert.match(iv.interview_id, /^[0-9a-f]{16}$/);
  assert.match(iv.token, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(typeof iv.url, 'string');
  assert.ok(iv.url.startsWith('http://127.0.0.1:9999'), iv.url);
  assert.ok(iv.url.includes(iv.token), `the candidate link carries the token: ${iv.url}`);
  assert.equal(iv.ws_url, `ws://127.0.0.1:9999/v1?token=${iv.token}`);
});

test('two interviews get different ids and tokens', async () => {
  const a = await newInterview();
  const b = await newInterview();
  assert.notEqual(a.interview_id, b.interview_id);
  assert.notEqual(a.token, b.token);
});

test('list --json includes a new interview', async () => {
  const iv = await newInterview();
  const r = await cli(['list', '--json', '--data', data]);
  assert.equal(r.code, 0, r.stderr);
  const list = JSON.parse(r.stdout);
  assert.ok(Array.isArray(list), r.stdout);
  const row = list.find((x) => (x.id ?? x.interview_id) === iv.interview_id);
  assert.ok(row, `listed: ${r.stdout}`);
  assert.equal(row.status, 'new');
  assert.equal(row.script, 'demo');
  assert.equal(row.candidate, 'Grace');
  assert.ok(!r.stdout.includes(iv.token), 'tokens are never listed (only their hashes are stored)');
});

test('show ID --json has the status, script, candidate and an empty transcript', async () => {
  const iv = await newInterview();
  const r = await cli(['show', iv.interview_id, '--json', '--data', data]);
  assert.equal(r.code, 0, r.stderr);
  const shown = JSON.parse(r.stdout);
  assert.equal(shown.status, 'new');
  assert.equal(shown.script, 'demo');
  assert.equal(shown.candidate, 'Grace');
  assert.deepEqual(shown.transcript, []);
});

test('show of an unknown interview exits non-zero and names it', async () => {
  const r = await cli(['show', 'ffffffffffffffff', '--json', '--data', data]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /ffffffffffffffff/);
});

test('new with an unknown script exits non-zero with a message naming it', async () => {
  const r = await cli(['new', '--script', 'no_such_script', '--json', '--data', data, '--scripts', scriptsDir]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /no_such_script/);
  assert.equal(r.stdout.trim(), '', 'nothing on stdout for a script to parse');
});

// A failure reads as a sentence, never as an internal code such as "(-21)".
function assertSentence(r, ...names) {
  assert.notEqual(r.code, 0);
  for (const n of names) assert.match(r.stderr, new RegExp(n), r.stderr);
  assert.ok(!/\(-?\d+\)/.test(r.stderr), `no error number in: ${r.stderr}`);
  assert.ok(!r.stderr.includes('(-'), r.stderr);
}

test('new with a missing or a broken script says why in a sentence naming the file', async () => {
  const scripts = tempDir();
  try {
    writeFileSync(path.join(scripts, 'broken.lua'), "say('one')\nsay('two'\nsay('three')\n");
    const missing = await cli(['new', '--script', 'absent', '--data', data, '--scripts', scripts]);
    assertSentence(missing, 'absent\\.lua', 'No such file');
    const broken = await cli(['new', '--script', 'broken', '--data', data, '--scripts', scripts]);
    assertSentence(broken, 'scripts/broken\\.lua:3:');
  } finally { rmSync(scripts, { recursive: true, force: true }); }
});

test('show of an interview whose stored record is damaged says so in a sentence, not a code', async () => {
  const dir = tempDir();
  try {
    const r0 = await cli(['new', '--script', 'demo', '--json', '--data', dir, '--scripts', scriptsDir]);
    assert.equal(r0.code, 0, r0.stderr);
    const id = JSON.parse(r0.stdout).interview_id;
    // Overwrite the interview record with a value that is not JSON, as disk damage would.
    execFileSync('mdb_load', ['-s', 'interviews', dir],
      { input: `VERSION=3\nformat=print\ntype=btree\nHEADER=END\n ${id}\n {\nDATA=END\n` });
    const r = await cli(['show', id, '--data', dir]);
    assertSentence(r, id, 'does not decode');
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

// Options are matched exactly: neither a near miss (--script for --scripts) nor an abbreviation
// (--cand for --candidate) is taken for another option.
async function refusedOption(args, option) {
  // A serve that wrongly started would run until killed: the timeout turns that into a failure.
  const r = await cli(args, { timeout: 5000 });
  assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}; stderr: ${r.stderr}`);
  assert.match(r.stderr, new RegExp(`unknown option ${option}\\b`), r.stderr);
  assert.equal(r.stdout.trim(), '');
}

test('serve --script (not --scripts) exits 2 naming --script', async () => {
  await refusedOption(['serve', '--script', 'x', '--listen', '127.0.0.1:0', '--data', data], '--script');
});

test('demo and new refuse options they do not take, and abbreviations, with exit 2', async () => {
  await refusedOption(['demo', '--script', 'x', '--data', data, '--scripts', scriptsDir], '--script');
  await refusedOption(['new', '--script', 'demo', '--cand', 'Ada', '--data', data, '--scripts', scriptsDir], '--cand');
  await refusedOption(['list', '--scripts', scriptsDir, '--data', data], '--scripts');
});

test('--help exits 0 and mentions every command', async () => {
  const r = await cli(['--help']);
  assert.equal(r.code, 0, r.stderr);
  const text = r.stdout + r.stderr;
  for (const c of COMMANDS) assert.match(text, new RegExp(`\\b${c}\\b`), `--help mentions ${c}`);
});

test('COMMAND --help exits 0 for every command and names the command', async () => {
  for (const c of COMMANDS) {
    const r = await cli([c, '--help']);
    assert.equal(r.code, 0, `${c} --help: ${r.stderr}`);
    assert.match(r.stdout + r.stderr, new RegExp(`\\b${c}\\b`));
  }
});

test('an unknown command exits non-zero and names it', async () => {
  const r = await cli(['frobnicate']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /frobnicate/);
});

test('every command accepts --data DIR, including the script tools that do not read it', async () => {
  const demo = `${scriptsDir}/demo.lua`;
  const answers = new URL('../scripts/demo.answers', import.meta.url).pathname;
  for (const args of [['list'], ['check', demo], ['try', demo, '--answers', answers]]) {
    const r = await cli([...args, '--data', data]);
    assert.equal(r.code, 0, `${args[0]} --data: ${r.stderr}`);
  }
});
