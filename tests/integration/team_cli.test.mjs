// The team's accounts and API keys through the real binary: `interviewd user ...` and `interviewd apikey ...`,
// on a data directory of their own and beside a running server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { bin, cli, scriptsDir, startServer, tempDir } from '../lib/server.mjs';

let data;
before(() => { data = tempDir(); });
after(() => { rmSync(data, { recursive: true, force: true }); });

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

// Every byte LMDB keeps for a data directory, as one string to search.
function storedBytes(dir) {
  return readdirSync(dir).map((f) => readFileSync(path.join(dir, f)).toString('latin1')).join('');
}

async function users(dir = data) {
  const r = await cli(['user', 'list', '--json', '--data', dir]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('user add prints a generated password once and stores only its hash', async () => {
  const r = await cli(['user', 'add', 'grace', '--role', 'admin', '--data', data]);
  assert.equal(r.code, 0, r.stderr);
  const m = /password\s+(\S+)/.exec(r.stdout);
  assert.ok(m, `a password is printed: ${r.stdout}`);
  const password = m[1];
  assert.ok(password.length >= 20, `a strong password: ${password}`);
  assert.ok(!r.stderr.includes(password), 'never on stderr (the log)');

  const list = await cli(['user', 'list', '--data', data]);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /grace\s+admin/);
  assert.ok(!list.stdout.includes(password), 'the list never shows it again');
  assert.ok(!storedBytes(data).includes(password), 'the data directory holds no plain password');
  assert.ok(storedBytes(data).includes('$argon2id$'), 'it holds an Argon2id hash');
});

test('user add --password-stdin takes the password from stdin and prints none', async () => {
  const secret = 'a quite long passphrase, with commas';
  const r = await cliStdin(['user', 'add', 'alan@example.org', '--password-stdin', '--json', '--data', data], `${secret}\n`);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { name: 'alan@example.org', role: 'interviewer' });
  assert.ok(!(r.stdout + r.stderr).includes(secret));
  assert.ok(!storedBytes(data).includes(secret));
});

test('a password from stdin shorter than 8 bytes is refused with a sentence, and no account is made', async () => {
  const r = await cliStdin(['user', 'add', 'shorty', '--password-stdin', '--data', data], 'seven77\n');
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /8 to 1024 bytes/);
  assert.ok(!(await users()).some((u) => u.name === 'shorty'));
});

test('user list --json gives name, role and creation time, never a hash', async () => {
  const before = Date.now();
  const add = await cli(['user', 'add', 'listed', '--data', data]);
  assert.equal(add.code, 0, add.stderr);
  const r = await cli(['user', 'list', '--json', '--data', data]);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /argon2|password|hash|epoch/);
  const row = JSON.parse(r.stdout).find((u) => u.name === 'listed');
  assert.deepEqual(Object.keys(row).sort(), ['created', 'name', 'role']);
  assert.equal(row.role, 'interviewer');
  assert.ok(row.created >= before - 1000 && row.created <= Date.now() + 1000, `created ${row.created}`);
});

test('a taken name is refused and names the account', async () => {
  await cli(['user', 'add', 'twice', '--data', data]);
  const r = await cli(['user', 'add', 'twice', '--data', data]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /twice.*already taken/);
  assert.equal(r.stdout, '');
});

test('a bad name exits non-zero with a sentence saying what a name may be', async () => {
  for (const name of ['ada lovelace', 'x'.repeat(65), 'ada/..', '']) {
    const r = await cli(['user', 'add', name, '--data', data]);
    assert.notEqual(r.code, 0, name);
    assert.match(r.stderr, /1 to 64 characters of letters, digits and \. _ @ -/);
    assert.equal(r.stdout, '', 'no password is printed for an account that was not made');
  }
  const k = await cli(['apikey', 'add', 'has space', '--data', data]);
  assert.notEqual(k.code, 0);
  assert.match(k.stderr, /1 to 64 characters/);
});

test('an unknown option exits 2 and names it; an option of another subcommand is refused', async () => {
  const r = await cli(['user', 'add', 'someone', '--frobnicate', '--data', data]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown option --frobnicate/);
  const wrong = await cli(['user', 'list', '--role', 'admin', '--data', data]);
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /--role does not apply/);
  const role = await cli(['user', 'add', 'someone', '--role', 'root', '--data', data]);
  assert.equal(role.code, 2);
  assert.match(role.stderr, /admin or interviewer/);
  const sub = await cli(['apikey', 'rotate', '--data', data]);
  assert.equal(sub.code, 2);
  assert.match(sub.stderr, /unknown subcommand 'rotate'/);
  assert.ok(!(await users()).some((u) => u.name === 'someone'));
});

test('user passwd prints a new password once; user remove deletes the account', async () => {
  const add = await cli(['user', 'add', 'leaving', '--data', data]);
  const first = /password\s+(\S+)/.exec(add.stdout)[1];
  const pw = await cli(['user', 'passwd', 'leaving', '--json', '--data', data]);
  assert.equal(pw.code, 0, pw.stderr);
  const second = JSON.parse(pw.stdout).password;
  assert.match(second, /^[A-Za-z0-9_-]{20,}$/);
  assert.notEqual(second, first);

  const rm = await cli(['user', 'remove', 'leaving', '--data', data]);
  assert.equal(rm.code, 0, rm.stderr);
  assert.match(rm.stdout, /sessions have ended/);
  assert.ok(!(await users()).some((u) => u.name === 'leaving'));
  const again = await cli(['user', 'remove', 'leaving', '--data', data]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /leaving.*no such/);
  const gone = await cli(['user', 'passwd', 'leaving', '--data', data]);
  assert.equal(gone.code, 1);
});

test('apikey add prints an ivk_ key once; list shows the label only; remove deletes it', async () => {
  const r = await cli(['apikey', 'add', 'nightly-export', '--role', 'admin', '--json', '--data', data]);
  assert.equal(r.code, 0, r.stderr);
  const added = JSON.parse(r.stdout);
  assert.equal(added.label, 'nightly-export');
  assert.equal(added.role, 'admin');
  assert.match(added.key, /^ivk_[A-Za-z0-9_-]{43}$/, 'never 43 bare characters: it cannot pass for a candidate token');
  assert.ok(!storedBytes(data).includes(added.key.slice(4)), 'only its hash is stored');

  const text = await cli(['apikey', 'add', 'ci', '--data', data]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /Authorization: Bearer ivk_/);

  const taken = await cli(['apikey', 'add', 'ci', '--data', data]);
  assert.equal(taken.code, 1);

  const list = await cli(['apikey', 'list', '--json', '--data', data]);
  assert.equal(list.code, 0, list.stderr);
  assert.ok(!list.stdout.includes(added.key));
  assert.deepEqual(JSON.parse(list.stdout).map((k) => [k.label, k.role]), [['ci', 'interviewer'], ['nightly-export', 'admin']]);

  const rm = await cli(['apikey', 'remove', 'nightly-export', '--data', data]);
  assert.equal(rm.code, 0, rm.stderr);
  const after = JSON.parse((await cli(['apikey', 'list', '--json', '--data', data])).stdout);
  assert.deepEqual(after.map((k) => k.label), ['ci']);
  const again = await cli(['apikey', 'remove', 'nightly-export', '--data', data]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /nightly-export/);
});

test('user and apikey explain themselves: --help at every level exits 0 with an example', async () => {
  const top = await cli(['--help']);
  assert.match(top.stdout, /\buser\b/);
  assert.match(top.stdout, /\bapikey\b/);
  for (const args of [['user'], ['apikey'], ['user', 'add'], ['user', 'list'], ['user', 'remove'], ['user', 'passwd'],
    ['apikey', 'add'], ['apikey', 'list'], ['apikey', 'remove']]) {
    const r = await cli([...args, '--help']);
    assert.equal(r.code, 0, `${args.join(' ')} --help: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`interviewd ${args.join(' ')}`));
    assert.match(r.stdout, /Example/);
  }
  const bare = await cli(['user']);
  assert.equal(bare.code, 2, 'no subcommand is bad usage');
  assert.match(bare.stderr, /usage: interviewd user/);
});

test('user and apikey commands work while serve runs on the same data directory', async () => {
  const dir = tempDir();
  const server = await startServer({ dataDir: dir });
  try {
    const add = await cli(['user', 'add', 'live', '--role', 'admin', '--json', '--data', dir]);
    assert.equal(add.code, 0, add.stderr);
    const password = JSON.parse(add.stdout).password;
    assert.deepEqual((await users(dir)).map((u) => u.name), ['live']);
    const key = await cli(['apikey', 'add', 'live-key', '--data', dir]);
    assert.equal(key.code, 0, key.stderr);
    const rm = await cli(['user', 'remove', 'live', '--data', dir]);
    assert.equal(rm.code, 0, rm.stderr);
    assert.deepEqual(await users(dir), []);
    // The server kept serving candidates meanwhile.
    const res = await fetch(`${server.http}/`);
    assert.ok(res.status < 500, `the page answers: ${res.status}`);
    const iv = await server.newInterview();
    assert.match(iv.interview_id, /^[0-9a-f]{16}$/);
    assert.ok(!server.log.includes(password), 'the password never reaches the server log');
  } finally {
    assert.equal((await server.stop()).code, 0);
    server.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('demo (make run) creates an admin on first start, prints its password once, and the console signs in with it', async () => {
  const dir = tempDir();
  const server = await startServer({ dataDir: dir });
  try {
    const run1 = await cli(['demo', '--data', dir, '--scripts', scriptsDir]);
    assert.equal(run1.code, 0, run1.stderr);
    assert.match(run1.stdout, new RegExp(`console +${server.http.replace(/[.]/g, '\\.')}/console/`));
    const m = run1.stdout.match(/sign in to the console as admin, password (\S+)/);
    assert.ok(m, `the first run prints the admin password: ${run1.stdout}`);
    const again = await cli(['demo', '--data', dir, '--scripts', scriptsDir]);
    assert.equal(again.code, 0, again.stderr);
    assert.doesNotMatch(again.stdout, /password/, 'the password is shown once');
    assert.deepEqual((await users(dir)).map((u) => [u.name, u.role]), [['admin', 'admin']]);
    const r = await fetch(`${server.http}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.http },
      body: JSON.stringify({ name: 'admin', password: m[1] }),
    });
    assert.equal(r.status, 200);
    assert.deepEqual(await r.json(), { name: 'admin', role: 'admin' });
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
