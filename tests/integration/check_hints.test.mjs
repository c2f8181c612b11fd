// check's replay hints run as shown: each finding's command, executed by a shell in the directory
// check ran in, plays the same answers under the same interview and meets the same failure.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { cli, tempDir } from '../lib/server.mjs';

const run = promisify(execFile);
let dir;
before(() => { dir = tempDir('interviewd-check-'); });
after(() => { rmSync(dir, { recursive: true, force: true }); });

// Writes files ({ relative path: text }) under a fresh folder of dir; returns the folder.
let cases = 0;
function write(files) {
  const at = path.join(dir, `case-${++cases}`);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(at, name)), { recursive: true });
    writeFileSync(path.join(at, name), text);
  }
  return at;
}

// Runs check (relative paths, as an author types them) and returns its findings: the first line of
// each, with the draw line and the command that follows it.
async function check(cwd, args) {
  const r = await cli(['check', ...args], { cwd });
  const findings = [];
  const lines = r.stdout.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^( {2}draw .*?: )?(?: {2})?replay it with (.*)$/.exec(lines[i]);
    if (m) findings.push({ message: lines[i - 2], draw: m[1] ?? null, command: m[2] });
  }
  return { ...r, findings };
}

// Runs a printed command as a shell would; returns what it printed and its exit code.
async function sh(cwd, command) {
  try {
    const { stdout, stderr } = await run('sh', ['-c', command], { cwd, maxBuffer: 64 << 20, timeout: 30000 });
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    if (typeof e.code !== 'number') throw e;
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

// The finding's "FILE:LINE: message" is what the replay must print again.
async function assertReplays(cwd, finding) {
  const r = await sh(cwd, finding.command);
  assert.equal(r.code, 1, `${finding.command}\n${r.out.slice(0, 2000)}`);
  assert.ok(r.out.includes(finding.message), `replay of ${finding.command} lacks "${finding.message}":\n${r.out.slice(-2000)}`);
}

test('a script that draws nothing: the command has no --id and no draw is named, and it reproduces', async () => {
  const cwd = write({
    'scripts/pets.lua': [
      'local pet = choose("Dogs or cats?", { "Dogs", "Cats" })',
      'if pet == "Cats" then nte("cat person") end',
      'finish("Thanks!")',
      '',
    ].join('\n'),
  });
  const r = await check(cwd, ['scripts/pets.lua']);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.equal(r.findings.length, 1, r.stdout);
  const [f] = r.findings;
  assert.match(f.message, /^scripts\/pets\.lua:2: undefined global 'nte'/);
  assert.equal(f.draw, null, r.stdout);
  assert.ok(!f.command.includes('--id'), f.command);
  assert.ok(!/draw \d+ of/.test(r.stdout), r.stdout);
  assert.match(r.stdout, /1 finding \(all 16 draws went the same way\)/);
  await assertReplays(cwd, f);
});

test("the issue's 128 KiB name: the command rebuilds the answer and meets the same limit", async () => {
  const cwd = write({
    'screen.lua': [
      'local name = ask("What is your name?")',
      'local email = ask("Your email?", { examples = { "carol@example.com" },',
      '  validate = function(a) return a:match("^%S+@%S+%.%S+$") ~= nil end })',
      'finish("Thanks, " .. name .. "! We will write to " .. email .. ".")',
      '',
    ].join('\n'),
  });
  const r = await check(cwd, ['screen.lua']);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const f = r.findings.find((x) => x.message.includes('text too long'));
  assert.ok(f, r.stdout);
  assert.match(f.message, /^screen\.lua:4: text too long \(\d+ bytes; limit 16384\)$/);
  await assertReplays(cwd, f);
});

test('check --answers: the recorded conversation and a branch off it replay, the first with --answers FILE', async () => {
  const cwd = write({
    'door.lua': [
      'local w = ask("Password?")',
      'if w ~= "swordfish" then finish("Go away") end',
      'local c = choose("Door?", { "red", "blue", "green" })',
      'if c == "green" then error("green door") end',
      'local t = ask("Last words?")',
      'if t == "rosebud" then error("rosebud") end',
      'finish("Bye")',
      '',
    ].join('\n'),
    'door.answers': 'Hi\nswordfish\nred\nrosebud\n',
  });
  const r = await check(cwd, ['door.lua', '--answers', 'door.answers']);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.equal(r.findings.length, 2, r.stdout);
  const rosebud = r.findings.find((x) => x.message.endsWith('rosebud'));
  assert.match(rosebud.command, / try door\.lua --answers door\.answers$/);
  await assertReplays(cwd, rosebud);
  const green = r.findings.find((x) => x.message.endsWith('green door'));
  assert.match(green.command, /door\.answers/);
  await assertReplays(cwd, green);
});

test('a finding only one draw reaches names it, and the command replays that interview id', async () => {
  const cwd = write({
    'bank.lua': [
      'local q = pick(1, { "a", "b", "c", "d", "e", "f", "g", "h" })[1]',
      'local a = ask("Question " .. q)',
      'if q == "h" then error("drew h") end',
      '',
    ].join('\n'),
  });
  const r = await check(cwd, ['bank.lua']);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.equal(r.findings.length, 1, r.stdout);
  const [f] = r.findings;
  const m = /^ {2}draw (\d+) of 16, interview id ([0-9a-f]{16}): $/.exec(f.draw ?? '');
  assert.ok(m, r.stdout);
  assert.ok(f.command.endsWith(`--id ${m[2]}`), f.command);
  await assertReplays(cwd, f);
});

test('an example the question refuses: the command shows the re-ask the candidate would get', async () => {
  const cwd = write({
    'years.lua': 'local y = ask_number("Years?", { min = 0, max = 50, examples = { 3, 51 } })\nfinish("Bye")\n',
  });
  const r = await check(cwd, ['years.lua']);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const [f] = r.findings;
  assert.equal(f.message, 'years.lua:1: example "51" is refused by the question "Years?": ' +
    '"Please answer with a number between 0 and 50."');
  const replay = await sh(cwd, f.command);
  assert.match(replay.out, /candidate message 51\n.*Please answer with a number between 0 and 50\./);
});
