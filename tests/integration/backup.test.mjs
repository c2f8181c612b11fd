// Backups and retention through the real binary: a backup taken while a candidate is mid-interview is
// consistent and serves that candidate after a restore; `verify` checks it; `purge` and
// `serve --retention-days` erase exactly the ended interviews that are old enough, leaving no trace in
// any database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { cli, startServer, tempDir } from '../lib/server.mjs';
import { connect } from '../lib/ws.mjs';
import { scriptsDirWith } from '../lib/fixtures.mjs';

const SCRIPT = `
local built = ask("What did you build?", { id = "built" })
local wrong = ask("What went wrong?", { id = "wrong" })
local next = ask("What would you do next?", { id = "next" })
finish("Thanks, that is all.")
`;
const DAY_MS = 24 * 60 * 60 * 1000;
const dump = promisify(execFile);

// Every record of every database, printable (what `mdb_dump -a` sees).
async function dumpAll(dataDir) {
  return (await dump('mdb_dump', ['-a', '-p', dataDir], { maxBuffer: 64 << 20 })).stdout;
}

async function show(dataDir, id) {
  const r = await cli(['show', id, '--json', '--data', dataDir]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

// Resolves once pred() holds, checking every 20 ms; fails with what() after ms.
async function waitFor(pred, what, ms = 10000) {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// Moves an interview's end into the past by rewriting its record's updated time, as if it had ended
// days ago. mdb_dump -p prints the record as one line mdb_load reads back (LMDB is multi-process, so
// this works beside a running server).
function endDaysAgo(dataDir, id, days) {
  const lines = execFileSync('mdb_dump', ['-p', '-s', 'interviews', dataDir]).toString().split('\n');
  const at = lines.indexOf(` ${id}`);
  assert.ok(at > 0, `record ${id} in the dump`);
  const record = lines[at + 1];
  const updated = Number(/"updated":(\d+)/.exec(record)[1]);
  const aged = record.replace(/"updated":\d+/, `"updated":${updated - days * DAY_MS}`);
  execFileSync('mdb_load', ['-s', 'interviews', dataDir],
    { input: `VERSION=3\nformat=print\ntype=btree\nHEADER=END\n ${id}\n${aged}\nDATA=END\n` });
}

// Plays answers (after a first "hi") and resolves the last turn's frames.
async function play(server, iv, answers) {
  const c = await connect(`${server.ws}/v1?token=${iv.token}`);
  try {
    let last = await c.turn(iv.interview_id, 'hi');
    for (const a of answers) last = await c.turn(iv.interview_id, a);
    return last;
  } finally { c.close(); }
}

test('a backup taken mid-interview verifies clean, and a server restored from it serves the same transcript', async () => {
  const scripts = scriptsDirWith({ screen: SCRIPT });
  const server = await startServer({ scripts });
  const backups = tempDir('interviewd-backups-');
  let restored;
  try {
    const iv = await server.newInterview('screen', 'Mid Interview');
    const id = iv.interview_id;
    const c = await connect(`${server.ws}/v1?token=${iv.token}`);
    try {
      await c.turn(id, 'hi');
      await c.turn(id, 'a compiler');
      const before = await show(server.dataDir, id);

      // A backup while the candidate's next answer is being committed: it holds the interview
      // either before or after that turn, never half of it.
      const during = path.join(backups, 'during');
      const [b] = await Promise.all([
        cli(['backup', during, '--data', server.dataDir]),
        c.turn(id, 'the parser was slow'),
      ]);
      assert.equal(b.code, 0, b.stderr);
      assert.match(b.stdout, /compacted/);
      assert.equal(statSync(during).mode & 0o777, 0o700);
      assert.equal(statSync(path.join(during, 'data.mdb')).mode & 0o777, 0o600);
      const v = await cli(['verify', '--data', during]);
      assert.equal(v.code, 0, v.stdout + v.stderr);
      assert.match(v.stdout, /1 interview, \d+ turns, 1 token, 1 script, .*: no problems found/);
      const after = await show(server.dataDir, id);
      const copy = await show(during, id);
      assert.ok([before.transcript.length, after.transcript.length].includes(copy.transcript.length),
        `the copy holds ${copy.transcript.length} entries: ${before.transcript.length} or ${after.transcript.length} expected`);
      assert.deepEqual(copy.transcript, after.transcript.slice(0, copy.transcript.length));

      // Restore: a server started on a backup shows and serves exactly what the original has.
      const idle = path.join(backups, 'idle');
      assert.equal((await cli(['backup', idle, '--data', server.dataDir])).code, 0);
      restored = await startServer({ dataDir: idle, scripts });
      assert.deepEqual(await show(idle, id), await show(server.dataDir, id));
      const r = await connect(`${restored.ws}/v1?token=${iv.token}`);
      try {
        r.send({ action: 'history', interview_id: id });
        const h = await r.next((f) => f.type === 'history');
        assert.deepEqual(h.messages.map((m) => m.text), after.transcript.map((t) => t.text));
        const end = await r.turn(id, 'ship it');
        assert.equal(end.at(-1).message, 'Thanks, that is all.', 'the candidate finishes on the restored server');
      } finally { r.close(); }
    } finally { c.close(); }
  } finally {
    if (restored) await restored.stop();
    await server.stop();
    server.cleanup();
    rmSync(backups, { recursive: true, force: true });
    rmSync(scripts, { recursive: true, force: true });
  }
});

test('backup refuses a directory that is not empty and writes nothing into it', async () => {
  const server = await startServer();
  const dest = tempDir('interviewd-backup-full-');
  try {
    writeFileSync(path.join(dest, 'notes.txt'), 'keep me');
    const r = await cli(['backup', dest, '--data', server.dataDir]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`${dest.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not empty`));
    assert.deepEqual(readdirSync(dest), ['notes.txt']);

    const missing = await cli(['backup', path.join(dest, 'x'), '--data', path.join(dest, 'no-such-data')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /is not a data directory/);
    assert.ok(!existsSync(path.join(dest, 'no-such-data')), 'no data directory is created by a backup');

    const usage = await cli(['backup', '--data', server.dataDir]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /give the backup directory/);
    const unknown = await cli(['backup', path.join(dest, 'y'), '--compress']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown option --compress/);
    const empty = path.join(dest, 'empty');
    mkdirSync(empty);
    assert.equal((await cli(['backup', empty, '--data', server.dataDir])).code, 0, 'an empty directory is fine');
  } finally {
    await server.stop();
    server.cleanup();
    rmSync(dest, { recursive: true, force: true });
  }
});

test('purge erases only interviews that ended before the date; --dry-run lists them and erases nothing', async () => {
  const scripts = scriptsDirWith({ screen: SCRIPT });
  const server = await startServer({ scripts });
  const data = ['--data', server.dataDir];
  try {
    const finished = await server.newInterview('screen', 'Finished Early');
    const end = await play(server, finished, ['zebra-built-1187', 'wrong-1187', 'next-1187']);
    assert.equal(end.at(-1).done, true);
    const closed = await server.newInterview('screen', 'Closed Early');
    await play(server, closed, ['okapi-built-2291']);
    assert.equal((await cli(['close', closed.interview_id, ...data])).code, 0);
    const cutoff = new Date().toISOString();
    await waitFor(() => Date.now() > Date.parse(cutoff), () => 'the clock to pass the cutoff');
    const later = await server.newInterview('screen', 'Finished Later');
    await play(server, later, ['lemur-built-3306', 'wrong-3306', 'next-3306']);
    const active = await server.newInterview('screen', 'Still Talking');
    await play(server, active, ['tapir-built-4412']);

    const dry = await cli(['purge', '--ended-before', cutoff, '--dry-run', ...data]);
    assert.equal(dry.code, 0, dry.stderr);
    const listed = dry.stdout.split('\n').filter((l) => l.startsWith('would erase'));
    assert.equal(listed.length, 2, dry.stdout);
    assert.match(listed[0], new RegExp(`^would erase ${finished.interview_id}\\s+finished\\s+ended \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC\\s+Finished Early$`));
    assert.match(listed[1], new RegExp(`^would erase ${closed.interview_id}\\s+closed\\s+ended .* UTC\\s+Closed Early$`));
    assert.match(dry.stdout, /2 interviews ended before .* and would be erased \(dry run: nothing erased\)/);
    const untouched = await dumpAll(server.dataDir);
    assert.ok(untouched.includes('zebra-built-1187') && untouched.includes('okapi-built-2291'), 'the dry run erased nothing');

    const r = await cli(['purge', '--ended-before', cutoff, ...data]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^erased ${finished.interview_id} .*Finished Early$`, 'm'));
    assert.match(r.stdout, new RegExp(`^erased ${closed.interview_id} .*Closed Early$`, 'm'));
    assert.match(r.stdout, /erased 2 interviews that ended before/);
    for (const gone of [finished, closed]) {
      const s = await cli(['show', gone.interview_id, ...data]);
      assert.equal(s.code, 1);
      assert.match(s.stderr, /no interview/);
      await assert.rejects(connect(gone.ws_url), (e) => e.status === 401, 'its link no longer opens');
    }
    const left = await dumpAll(server.dataDir);
    for (const trace of ['zebra-built-1187', 'okapi-built-2291', 'Finished Early', 'Closed Early',
      finished.interview_id, closed.interview_id]) {
      assert.ok(!left.includes(trace), `${trace} is gone from every database`);
    }
    assert.ok(left.includes('lemur-built-3306'), 'an interview that ended after the date stays');
    assert.ok(left.includes('tapir-built-4412'), 'an unfinished interview stays');
    assert.equal((await show(server.dataDir, later.interview_id)).status, 'finished');
    assert.equal((await show(server.dataDir, active.interview_id)).status, 'active');
    const v = await cli(['verify', ...data]);
    assert.equal(v.code, 0, v.stdout);

    const again = await cli(['purge', '--ended-before', cutoff, ...data]);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /^erased 0 interviews/);
  } finally {
    await server.stop();
    server.cleanup();
    rmSync(scripts, { recursive: true, force: true });
  }
});

test('serve --retention-days erases old ended interviews at start and again on its schedule, logging ids only', async () => {
  const scripts = scriptsDirWith({ screen: SCRIPT });
  const first = await startServer({ scripts });
  const dataDir = first.dataDir;
  let server;
  try {
    const old = await first.newInterview('screen', 'Old Finisher');
    await play(first, old, ['ancient-answer-5150', 'w', 'n']);
    const recent = await first.newInterview('screen', 'Recent Finisher');
    await play(first, recent, ['recent-answer-6262', 'w', 'n']);
    const active = await first.newInterview('screen', 'Old But Active');
    await play(first, active, ['active-answer-7373']);
    await first.stop();
    endDaysAgo(dataDir, old.interview_id, 31);

    server = await startServer({ dataDir, scripts, extraArgs: ['--retention-days', '30'],
      env: { INTERVIEWD_RETENTION_INTERVAL_MS: '200' } });
    const erased = (id) => new RegExp(`retention: erased interview ${id} \\(finished, ended `);
    await waitFor(() => erased(old.interview_id).test(server.log), () => `the erase of ${old.interview_id}:\n${server.log}`);
    assert.equal((await cli(['show', old.interview_id, '--data', dataDir])).code, 1);
    assert.equal((await show(dataDir, recent.interview_id)).status, 'finished');

    // A later pass, not only the one at start: an interview that has since grown old goes too.
    endDaysAgo(dataDir, recent.interview_id, 45);
    await waitFor(() => erased(recent.interview_id).test(server.log), () => `the erase of ${recent.interview_id}:\n${server.log}`);
    assert.equal((await cli(['show', recent.interview_id, '--data', dataDir])).code, 1);
    assert.equal((await show(dataDir, active.interview_id)).status, 'active', 'unfinished interviews are kept');

    const left = await dumpAll(dataDir);
    assert.ok(!left.includes('ancient-answer-5150') && !left.includes('recent-answer-6262'));
    assert.ok(left.includes('active-answer-7373'));
    for (const name of ['Old Finisher', 'Recent Finisher', 'ancient-answer', 'recent-answer']) {
      assert.ok(!server.log.includes(name), `the log never names a candidate or what they wrote (${name})`);
    }
  } finally {
    if (server) await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(scripts, { recursive: true, force: true });
  }
});

test('serve refuses a --retention-days that is not a whole number of days from 1', async () => {
  const dir = tempDir();
  try {
    for (const bad of ['0', '-1', '7d', '36501']) {
      const r = await cli(['serve', '--retention-days', bad, '--listen', '127.0.0.1:0', '--data', dir]);
      assert.equal(r.code, 2, `--retention-days ${bad}`);
      assert.match(r.stderr, /--retention-days takes a number of days from 1 to 36500/);
    }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
