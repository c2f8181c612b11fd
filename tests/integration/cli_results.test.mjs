// Results where people look: `list` shows each interview's scores and tags on its row, compactly and cut
// to the line; `list --json` and `show --json` carry every field, empty ones as {}, [] or null.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { cli, startServer } from '../lib/server.mjs';
import { connect } from '../lib/ws.mjs';
import { scriptsDirWith } from '../lib/fixtures.mjs';

const SCRIPTS = {
  rated: 'local a = ask("Ready?")\nscore("score", 7)\ntag("senior")\ntag("remote")\nnote("said " .. a)\nsay("Thanks.")\n',
  tagged: 'ask("Ready?")\nfor i = 1, 12 do tag("a-rather-long-tag-" .. i) end\nsay("Thanks.")\n',
  plain: 'ask("Ready?")\nsay("Thanks.")\n',
};
let server, scripts;
before(async () => {
  scripts = scriptsDirWith(SCRIPTS);
  server = await startServer({ scripts });
});
after(async () => {
  await server.stop();
  server.cleanup();
  rmSync(scripts, { recursive: true, force: true });
});

// Creates an interview of `script`, starts it and answers its one question; resolves its id.
async function played(script, candidate) {
  const iv = await server.newInterview(script, candidate);
  const c = await connect(iv.ws_url);
  try {
    await c.turn(iv.interview_id, 'hello'); // the first message starts the script
    const frames = await c.turn(iv.interview_id, 'yes');
    assert.ok(!frames.some((f) => f.type === 'error'), JSON.stringify(frames));
  } finally { c.close(); }
  return iv.interview_id;
}

async function list(env = {}) {
  const r = await cli(['list', '--data', server.dataDir], { env: { ...process.env, ...env } });
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.split('\n').filter(Boolean);
}

test('list shows no results column while no interview has scores or tags', async () => {
  const id = await played('plain', 'Nadia');
  const lines = await list();
  assert.ok(!lines[0].includes('RESULTS'), lines[0]);
  const row = lines.find((l) => l.startsWith(id));
  assert.match(row, /finished\s+plain\s+Nadia\s+5\s+\d{4}-\d\d-\d\d \d\d:\d\d UTC$/, row);
});

test('list shows scores and tags on the row, and nothing on a row without them', async () => {
  const rated = await played('rated', 'Ada');
  const lines = await list();
  assert.match(lines[0], /UPDATED +RESULTS$/, lines[0]);
  const row = lines.find((l) => l.startsWith(rated));
  assert.match(row, / UTC {2}score 7 · tags: senior, remote$/, row);
  const plain = lines.find((l) => / plain /.test(l));
  assert.match(plain, / UTC$/, `no results, no trailing text: ${plain}`);
});

test('list cuts long results to fit the line, with an ellipsis', async () => {
  const id = await played('tagged', 'Grace');
  const rows = [];
  for (const columns of [100, 140]) {
    const row = (await list({ COLUMNS: String(columns) })).find((l) => l.startsWith(id));
    assert.ok([...row].length <= columns, `${[...row].length} > ${columns}: ${row}`);
    assert.match(row, / UTC {2}tags: a-rather-long-tag-.*…$/, row);
    rows.push(row);
  }
  assert.ok(rows[1].startsWith(rows[0].slice(0, -1)), `a wider line shows more of the same text:\n${rows.join('\n')}`);
  assert.match(rows[1], /tags: a-rather-long-tag-1, a-rather-long-tag-2/);
});

test('list --json has every field of every interview, empty ones as {}, [] or null', async () => {
  const fresh = await server.newInterview('plain', 'Lin');
  const rated = await played('rated', 'Ada');
  const r = await cli(['list', '--json', '--data', server.dataDir]);
  assert.equal(r.code, 0, r.stderr);
  const rows = JSON.parse(r.stdout);
  const empty = rows.find((x) => x.id === fresh.interview_id);
  assert.deepEqual(
    { scores: empty.scores, answers: empty.answers, notes: empty.notes, tags: empty.tags,
      last_error: empty.last_error, last_traceback: empty.last_traceback, messages: empty.messages },
    { scores: {}, answers: {}, notes: [], tags: [], last_error: null, last_traceback: null, messages: 0 });
  const full = rows.find((x) => x.id === rated);
  assert.deepEqual(full.scores, { score: 7 });
  assert.deepEqual(full.tags, ['senior', 'remote']);
  assert.deepEqual(full.notes, ['said yes']);
  assert.equal(full.messages, 5); // hello, the question, yes, thanks, the end
  // Every row has the same keys, so a reader never tests for a missing one.
  for (const row of rows) assert.deepEqual(Object.keys(row), Object.keys(rows[0]));
});

test('show --json has every field, empty ones as {}, [] or null', async () => {
  const fresh = await server.newInterview('plain', 'Lin');
  const r = await cli(['show', fresh.interview_id, '--json', '--data', server.dataDir]);
  assert.equal(r.code, 0, r.stderr);
  const shown = JSON.parse(r.stdout);
  for (const [key, value] of Object.entries({ scores: {}, answers: {}, notes: [], tags: [], transcript: [] }))
    assert.deepEqual(shown[key], value, key);
  assert.equal(shown.last_error, null);
  assert.equal(shown.last_traceback, null);
  assert.equal(shown.messages, 0);
});
