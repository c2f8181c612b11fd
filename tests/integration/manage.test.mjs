// The interview operations through the real binary beside a running server: close, link, erase, export,
// stats and show --markdown, each checked where a candidate or a team would notice it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { cli, startServer, tempDir } from '../lib/server.mjs';
import { connect } from '../lib/ws.mjs';
import { scriptsDirWith } from '../lib/fixtures.mjs';

const SCRIPT = `
section("Project")
local project = ask("Tell me about a project.", { id = "project" })
local why = ask("Why did it matter?", { id = "why" })
score("depth", 4)
tag("builder")
tag("remote")
finish("Thanks, that is all.")
`;

let server;
let scripts;
before(async () => {
  scripts = scriptsDirWith({ screen: SCRIPT });
  server = await startServer({ scripts });
});
after(async () => {
  await server.stop();
  server.cleanup();
  rmSync(scripts, { recursive: true, force: true });
});

const data = () => ['--data', server.dataDir];

async function newInterview(candidate) {
  const r = await cli(['new', '--script', 'screen', '--candidate', candidate, '--json', ...data(), '--scripts', scripts,
    '--url', server.http]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

// Plays the interview with the given answers (after a first "hi" that starts it); resolves the frames of
// the last turn.
async function play(iv, answers) {
  const c = await connect(`${server.ws}/v1?token=${iv.token}`);
  try {
    let last = await c.turn(iv.interview_id, 'hi');
    for (const a of answers) last = await c.turn(iv.interview_id, a);
    return last;
  } finally { c.close(); }
}

// Expects the WebSocket handshake with this token to be refused with HTTP status.
async function refusedWith(url, status) {
  await assert.rejects(connect(url), (e) => e.status === status);
}

// A strict RFC 4180 reader: CRLF between records, quoted fields with doubled quotes, and anything else is
// a failure rather than a guess.
function parseCsv(text) {
  const rows = [];
  let row = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quoted field');
        if (text[i] === '"') {
          if (text[i + 1] === '"') { field += '"'; i += 2; continue; }
          i++;
          break;
        }
        field += text[i++];
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
        if (text[i] === '"') throw new Error(`a quote inside an unquoted field at ${i}`);
        field += text[i++];
      }
    }
    row.push(field);
    if (text[i] === ',') { i++; continue; }
    if (text.startsWith('\r\n', i)) {
      rows.push(row);
      row = [];
      i += 2;
      if (i === text.length) return rows;
      continue;
    }
    throw new Error(`expected , or CRLF at ${i}, found ${JSON.stringify(text.slice(i, i + 10))}`);
  }
}

test('close ends the interview: the candidate\'s next message gets interview_finished', async () => {
  const iv = await newInterview('Closing Candidate');
  const c = await connect(`${server.ws}/v1?token=${iv.token}`);
  try {
    const first = await c.turn(iv.interview_id, 'hi');
    assert.equal(first.at(-1).kind, 'ask');

    const r = await cli(['close', iv.interview_id, ...data()]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`closed ${iv.interview_id}`));

    const refused = await c.turn(iv.interview_id, 'my answer after the close');
    assert.equal(refused.length, 1);
    assert.equal(refused[0].type, 'error');
    assert.equal(refused[0].code, 'interview_finished');
    c.send({ action: 'history', interview_id: iv.interview_id });
    const h = await c.next((f) => f.type === 'history');
    assert.equal(h.status, 'closed');
    assert.ok(!h.messages.some((m) => m.text === 'my answer after the close'), 'nothing recorded after the close');
  } finally { c.close(); }

  const shown = JSON.parse((await cli(['show', iv.interview_id, '--json', ...data()])).stdout);
  assert.equal(shown.status, 'closed');
  const again = await cli(['close', iv.interview_id, ...data()]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /closed already/);
});

test('close refuses a finished interview and leaves it finished', async () => {
  const iv = await newInterview('Finisher');
  const end = await play(iv, ['a project', 'it mattered']);
  assert.equal(end.at(-1).done, true);
  const r = await cli(['close', iv.interview_id, ...data()]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /has finished/);
  assert.equal(JSON.parse((await cli(['show', iv.interview_id, '--json', ...data()])).stdout).status, 'finished');
});

test('link issues a new link: the old token gets 401 at the handshake and the new one works', async () => {
  const iv = await newInterview('Relinked');
  const r = await cli(['link', iv.interview_id, '--json', '--url', server.http, ...data()]);
  assert.equal(r.code, 0, r.stderr);
  const fresh = JSON.parse(r.stdout);
  assert.equal(fresh.interview_id, iv.interview_id);
  assert.notEqual(fresh.token, iv.token);
  assert.equal(fresh.url, `${server.http}/?interview=${iv.interview_id}&token=${fresh.token}`);
  assert.equal(fresh.ws_url, `${server.ws}/v1?token=${fresh.token}`);
  assert.equal(fresh.script, 'screen');
  assert.equal(fresh.candidate, 'Relinked');

  await refusedWith(iv.ws_url, 401);
  const c = await connect(fresh.ws_url);
  try {
    const replies = await c.turn(iv.interview_id, 'hi');
    assert.equal(replies.at(-1).message, 'Tell me about a project.');
  } finally { c.close(); }

  // The text form prints the link the way `new` does.
  const text = await cli(['link', iv.interview_id, '--url', server.http, ...data()]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^link\s+http:\/\/127\.0\.0\.1:\d+\/\?interview=[0-9a-f]{16}&token=\S+$/m);
  await refusedWith(fresh.ws_url, 401);
});

test('erase leaves nothing: show says not found and mdb_dump of the data directory has no trace', async () => {
  const secret = 'zebra-crossing-answer-4471';
  const iv = await newInterview('Erasable Person');
  await play(iv, [secret]);
  const dump = promisify(execFile);
  const before = (await dump('mdb_dump', ['-a', '-p', server.dataDir], { maxBuffer: 64 << 20 })).stdout;
  assert.ok(before.includes(secret), 'the answer is stored before the erase');

  const refused = await cli(['erase', iv.interview_id, ...data()]);
  assert.equal(refused.code, 2, 'no terminal and no --yes: refused');
  assert.match(refused.stderr, /--yes/);
  assert.equal((await cli(['show', iv.interview_id, ...data()])).code, 0, 'still there after the refusal');

  const r = await cli(['erase', iv.interview_id, '--yes', ...data()]);
  assert.equal(r.code, 0, r.stderr);
  const shown = await cli(['show', iv.interview_id, ...data()]);
  assert.equal(shown.code, 1);
  assert.match(shown.stderr, /no interview/);
  const after = (await dump('mdb_dump', ['-a', '-p', server.dataDir], { maxBuffer: 64 << 20 })).stdout;
  for (const trace of [secret, 'Erasable Person', iv.interview_id]) {
    assert.ok(!after.includes(trace), `${trace} is gone from every database`);
  }
  await refusedWith(iv.ws_url, 401);
  const again = await cli(['erase', iv.interview_id, '--yes', ...data()]);
  assert.equal(again.code, 1);
});

test('export CSV reads back with an RFC 4180 parser to exactly the answers given', async () => {
  const tricky = 'Built a parser, in C; it said "hello",\nthen quit';
  const iv = await newInterview('Ada "Countess" Lovelace, Jr.');
  await play(iv, [tricky, '=SUM(A1:A2) because']);
  const other = await newInterview('Bob');
  await play(other, ['plain']);

  const out = path.join(tempDir(), 'screen.csv');
  const r = await cli(['export', '--script', 'screen', '--out', out, ...data()]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.equal(statSync(out).mode & 0o777, 0o600, 'readable by its owner only');
  const text = readFileSync(out, 'utf8');
  assert.ok(!text.startsWith('\uFEFF'), 'no byte order mark');
  const [header, ...rows] = parseCsv(text);
  assert.deepEqual(header, ['id', 'candidate', 'status', 'created', 'finished', 'answer.project', 'answer.why',
    'score.depth', 'tags']);
  const byId = Object.fromEntries(rows.map((row) => [row[0], Object.fromEntries(header.map((h, k) => [h, row[k]]))]));
  const a = byId[iv.interview_id];
  assert.equal(a.candidate, 'Ada "Countess" Lovelace, Jr.');
  assert.equal(a.status, 'finished');
  assert.equal(a['answer.project'], tricky);
  assert.equal(a['answer.why'], "'=SUM(A1:A2) because", 'a formula is shown as text');
  assert.equal(a['score.depth'], '4');
  assert.equal(a.tags, 'builder, remote');
  assert.match(a.created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.ok(a.finished >= a.created);
  const b = byId[other.interview_id];
  assert.equal(b.status, 'active');
  assert.equal(b['answer.project'], 'plain');
  assert.equal(b['answer.why'], '');
  assert.equal(b.finished, '');

  // JSON Lines: the same data, values untouched, on standard output.
  const j = await cli(['export', '--script', 'screen', '--format', 'jsonl', ...data()]);
  assert.equal(j.code, 0, j.stderr);
  const lines = j.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
  const ja = lines.find((l) => l.id === iv.interview_id);
  assert.deepEqual(ja.answers, { project: tricky, why: '=SUM(A1:A2) because' });
  assert.deepEqual(ja.scores, { depth: 4 });
  assert.deepEqual(ja.tags, ['builder', 'remote']);
  assert.equal(typeof ja.created, 'number');
});

test('stats count each status and where the unfinished ones stopped', async () => {
  const s = scriptsDirWith({ drop: 'local a = ask("First?", { id = "a" })\nlocal b = ask("Second?", { id = "b" })\nfinish("bye")\n' });
  const srv = await startServer({ scripts: s });
  try {
    const make = async (name) => {
      const r = await cli(['new', '--script', 'drop', '--candidate', name, '--json', '--data', srv.dataDir, '--scripts', s]);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout);
    };
    const say = async (iv, msgs) => {
      const c = await connect(`${srv.ws}/v1?token=${iv.token}`);
      try { for (const m of msgs) await c.turn(iv.interview_id, m); } finally { c.close(); }
    };
    await make('never started');
    await say(await make('stopped at first'), ['hi']);
    await say(await make('stopped at first too'), ['hi']);
    await say(await make('stopped at second'), ['hi', 'x']);
    await say(await make('finished'), ['hi', 'x', 'y']);
    const closed = await make('closed at first');
    await say(closed, ['hi']);
    assert.equal((await cli(['close', closed.interview_id, '--data', srv.dataDir])).code, 0);

    const r = await cli(['stats', '--script', 'drop', '--json', '--data', srv.dataDir]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      script: 'drop', total: 6, new: 1, active: 3, finished: 1, closed: 1, started: 5,
      dropoff: [{ question: 'First?', count: 3 }, { question: 'Second?', count: 1 }],
    });
    const t = await cli(['stats', '--script', 'drop', '--data', srv.dataDir]);
    assert.equal(t.code, 0, t.stderr);
    assert.match(t.stdout, /^\s+3\s+First\?$/m);
  } finally {
    await srv.stop();
    srv.cleanup();
    rmSync(s, { recursive: true, force: true });
  }
});

test('show --markdown gives the transcript with sections, turns, results and the script version', async () => {
  const iv = await newInterview('Mark [Down](http://x)');
  await play(iv, ['# not a heading', 'fine']);
  const r = await cli(['show', iv.interview_id, '--markdown', ...data()]);
  assert.equal(r.code, 0, r.stderr);
  const shown = JSON.parse((await cli(['show', iv.interview_id, '--json', ...data()])).stdout);
  assert.ok(r.stdout.startsWith('# Interview with Mark \\[Down\\]\\(http\\://x\\) — screen\n'), r.stdout);
  assert.ok(r.stdout.includes(`version \`${shown.script_hash}\``));
  assert.ok(r.stdout.includes('## Project\n'));
  assert.ok(r.stdout.includes('**Bot:** Tell me about a project.\n'));
  assert.ok(r.stdout.includes('**Candidate:** \\# not a heading\n'));
  assert.ok(r.stdout.includes('### Answers\n\n- **project:** \\# not a heading\n'));
});

test('each command takes exactly its options and explains itself', async () => {
  for (const cmd of ['close', 'link', 'erase', 'export', 'stats']) {
    const h = await cli([cmd, '--help']);
    assert.equal(h.code, 0);
    assert.match(h.stdout, new RegExp(`^usage: interviewd ${cmd}`));
    assert.match(h.stdout, /Example:\n {2}interviewd /);
    const bad = await cli([cmd, '--nope', ...data()]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown option --nope/);
  }
  const abbrev = await cli(['export', '--scrip', 'screen', ...data()]);
  assert.equal(abbrev.code, 2);
  assert.match(abbrev.stderr, /did you mean --script\?/);
  assert.equal((await cli(['export', '--script', 'screen', '--format', 'xlsx', ...data()])).code, 2);
  assert.equal((await cli(['close', 'not-an-id', ...data()])).code, 2);
  assert.equal((await cli(['close', ...data()])).code, 2);
  const missing = await cli(['close', '0123456789abcdef', ...data()]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no interview 0123456789abcdef/);
});
