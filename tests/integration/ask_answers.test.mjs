// What ask() hands the script and what the record keeps: a new interview gets answers without the
// whitespace around them (a pasted "  dana@example.com  " passes an email check) and keeps ask_number
// answers as JSON numbers; an interview recorded before that (a record without api_level) keeps
// running, and rebuilding, exactly as it ran.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { startServer, tempDir, cli } from '../lib/server.mjs';
import { scriptsDirWith } from '../lib/fixtures.mjs';
import { connect } from '../lib/ws.mjs';

const SCRIPT = `local email = ask("Your email?", { id = "email", validate = function(a)
  return a:match("^%S+@%S+%.%S+$") ~= nil, "That does not look like an email address."
end })
local years = ask_number("Years of experience?", { id = "years" })
finish("Thanks [" .. email .. "] " .. math.type(years))
`;

// Rewrites the stored interview record as one written before API levels existed: no api_level field.
// Run with no server open on dataDir. mdb_dump -p prints the record as one line mdb_load reads back.
function dropApiLevel(dataDir, id) {
  const dump = execFileSync('mdb_dump', ['-p', '-s', 'interviews', dataDir]).toString().split('\n');
  const at = dump.indexOf(` ${id}`);
  assert.ok(at > 0, `record ${id} in the dump`);
  const record = dump[at + 1];
  assert.ok(record.includes(',"api_level":2'), `a new record carries its level: ${record}`);
  const old = record.replace(',"api_level":2', '');
  execFileSync('mdb_load', ['-s', 'interviews', dataDir],
    { input: `VERSION=3\nformat=print\ntype=btree\nHEADER=END\n ${id}\n${old}\nDATA=END\n` });
}

async function show(dataDir, id) {
  const r = await cli(['show', id, '--json', '--data', dataDir]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('a new interview trims ask() answers and records numbers as numbers in show and list --json', async () => {
  const scripts = scriptsDirWith({ ws: SCRIPT });
  const server = await startServer({ scripts });
  try {
    const iv = await server.newInterview('ws');
    const id = iv.interview_id;
    const c = await connect(`${server.ws}/v1?token=${iv.token}`);
    try {
      assert.equal((await c.turn(id, 'Hello')).at(-1).message, 'Your email?');
      const next = await c.turn(id, '  dana@example.com \n');
      assert.deepEqual(next.map((f) => f.message), ['Years of experience?'], 'accepted at once, no re-ask');
      const end = await c.turn(id, '7');
      assert.equal(end.at(-1).message, 'Thanks [dana@example.com] integer');
    } finally { c.close(); }
    const shown = await show(server.dataDir, id);
    assert.equal(shown.api_level, 2);
    assert.equal(shown.answers.email, 'dana@example.com');
    assert.equal(shown.answers.years, 7, 'a number, not "7"');
    const r = await cli(['show', id, '--json', '--data', server.dataDir]);
    assert.match(r.stdout, /"years":7[,}]/, 'printed as a bare integer');
    const listed = JSON.parse((await cli(['list', '--json', '--data', server.dataDir])).stdout);
    assert.deepEqual(listed.find((i) => i.id === id).answers, { email: 'dana@example.com', years: 7 });
  } finally {
    await server.stop();
    server.cleanup();
    rmSync(scripts, { recursive: true, force: true });
  }
});

test('an interview recorded without api_level runs and rebuilds after a restart at level 1: answers as typed', async () => {
  const scripts = scriptsDirWith({ ws: SCRIPT.replace('"^%S+@%S+%.%S+$"', '"@"') });
  const dataDir = tempDir();
  let server;
  try {
    const r = await cli(['new', '--script', 'ws', '--json', '--data', dataDir, '--scripts', scripts]);
    assert.equal(r.code, 0, r.stderr);
    const { interview_id: id, token } = JSON.parse(r.stdout);
    dropApiLevel(dataDir, id);

    server = await startServer({ dataDir, scripts });
    let c = await connect(`${server.ws}/v1?token=${token}`);
    await c.turn(id, 'Hello');
    assert.equal((await c.turn(id, '  dana@example.com  ')).at(-1).message, 'Years of experience?');
    c.close();
    await c.closed;

    // A kill drops the live state: the next turn rebuilds it from the recorded messages.
    server.proc.kill('SIGKILL');
    await server.exited;
    server = await startServer({ dataDir, scripts });
    c = await connect(`${server.ws}/v1?token=${token}`);
    try {
      const end = await c.turn(id, '7');
      assert.equal(end.at(-1).message, 'Thanks [  dana@example.com  ] integer',
        'the rebuild replayed the email answer untrimmed, as level 1 ran it');
    } finally { c.close(); }
    const shown = await show(dataDir, id);
    assert.equal(shown.api_level, 1, 'a record without a level reads as level 1 and keeps it');
    assert.equal(shown.answers.email, '  dana@example.com  ');
    assert.equal(shown.answers.years, '7', 'level 1 recorded numbers as text');

    // replay runs it at its level too: the recorded conversation comes out the same (exit 0).
    const rep = await cli(['replay', 'ws', '--data', dataDir, '--scripts', scripts]);
    assert.equal(rep.code, 0, `replay found a difference: ${rep.stdout}${rep.stderr}`);
  } finally {
    if (server) await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(scripts, { recursive: true, force: true });
  }
});
