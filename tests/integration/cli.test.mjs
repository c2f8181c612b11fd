// The CLI's contract: new/list/show --json, a clear failure for an unknown script, --help for every command,
// the ways --script names a script, and hints whose commands run as shown.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bin, cli, tempDir, scriptsDir } from '../lib/server.mjs';

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

// A command a hint prints, run exactly as shown (by a shell, in cwd), with `interviewd` being this build.
async function runAsShown(command, cwd) {
  const line = command.replace(/^interviewd /, `'${bin}' `);
  return new Promise((resolve) => {
    execFile('/bin/sh', ['-c', line], { cwd }, (e, stdout, stderr) => resolve({ code: e ? e.code : 0, stdout, stderr }));
  });
}

test('new --script takes the file name (NAME.lua) and a path inside the scripts directory', async () => {
  const cwd = path.dirname(scriptsDir);
  for (const script of ['demo.lua', 'scripts/demo.lua', './scripts/demo.lua', `${scriptsDir}/demo.lua`]) {
    const r = await cli(['new', '--script', script, '--json', '--data', data, '--scripts', 'scripts', '--url', 'http://h'], { cwd });
    assert.equal(r.code, 0, `${script}: ${r.stderr}`);
    assert.equal(JSON.parse(r.stdout).script, 'demo', script);
  }
});

test('new --script with a file outside the scripts directory refuses, and the commands it prints run as shown', async () => {
  const work = tempDir();
  try {
    const scripts = path.join(work, 'my scripts');
    mkdirSync(scripts);
    writeFileSync(path.join(work, 'frontend.lua'), 'ask("Ready?")\nsay("Thanks.")\n');
    const r = await cli(['new', '--script', 'frontend.lua', '--candidate', "Ada O'Neil", '--data', data, '--scripts', scripts,
      '--url', 'http://h'], { cwd: work });
    assert.notEqual(r.code, 0);
    assert.equal(r.stdout, '');
    // frontend.lua in the working directory is no path: it names scripts/frontend.lua, which is missing.
    assert.match(r.stderr, /frontend\.lua: No such file/, r.stderr);
    const outside = await cli(['new', '--script', './frontend.lua', '--candidate', "Ada O'Neil", '--data', data,
      '--scripts', scripts, '--url', 'http://h'], { cwd: work });
    assert.notEqual(outside.code, 0);
    assert.match(outside.stderr, /\.\/frontend\.lua is not in the scripts directory .*my scripts\/: .*copy it in/, outside.stderr);
    const commands = outside.stderr.split('\n').filter((l) => l.startsWith('  ')).map((l) => l.trim());
    assert.equal(commands.length, 2, outside.stderr);
    assert.match(commands[0], /^cp /);
    assert.match(commands[1], /^interviewd new --script frontend /);
    for (const c of commands) {
      const done = await runAsShown(c, work);
      assert.equal(done.code, 0, `${c}: ${done.stderr}`);
    }
    const listed = await cli(['list', '--json', '--data', data]);
    assert.ok(JSON.parse(listed.stdout).some((x) => x.script === 'frontend' && x.candidate === "Ada O'Neil"), listed.stdout);
  } finally { rmSync(work, { recursive: true, force: true }); }
});

test('new --script with a name that cannot be one says to drop .lua or rename, and lists the scripts', async () => {
  const bad = await cli(['new', '--script', 'front end', '--data', data, '--scripts', scriptsDir]);
  assertSentence(bad, "'front end' is not a script name", 'without \\.lua', 'scripts in .*: .*demo');
  const renamed = await cli(['new', '--script', 'front end.lua', '--data', data, '--scripts', scriptsDir]);
  assertSentence(renamed, 'rename the file');
  const none = await cli(['new', '--data', data, '--scripts', scriptsDir]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /--script NAME is required: .*without \.lua \(.*demo/, none.stderr);
});

test('the hints of list and show print commands that run as shown', async () => {
  const work = tempDir();
  try {
    const empty = path.join(work, 'empty data');
    const r = await cli(['list', '--data', empty]);
    assert.equal(r.code, 0, r.stderr);
    const hint = /`(interviewd new [^`]*)`/.exec(r.stdout);
    assert.ok(hint, r.stdout);
    const made = await runAsShown(hint[1], path.dirname(scriptsDir));
    assert.equal(made.code, 0, `${hint[1]}: ${made.stderr}`);
    const shown = await cli(['show', '--data', empty]);
    const list = /`(interviewd list[^`]*)`/.exec(shown.stderr);
    assert.ok(list, shown.stderr);
    const listed = await runAsShown(list[1], work);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /demo/, 'the interview the first hint made is listed by the second');
  } finally { rmSync(work, { recursive: true, force: true }); }
});
