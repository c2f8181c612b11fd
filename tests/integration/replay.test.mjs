// `interviewd replay` against interviews a running server recorded: an edit that changes only the scoring
// is reported as different, with the score's old and new value, in text and in the --json document.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, cli } from '../lib/server.mjs';
import { scriptsDirWith } from '../lib/fixtures.mjs';
import { connect } from '../lib/ws.mjs';

const screen = (points) => 'local lang = choose("Which language?", {"C", "Lua", "Go"}, {id = "lang"})\n'
  + 'local years = ask_number("How many years?", {id = "years"})\n'
  + `score("fit", years * ${points})\n`
  + 'note("lang " .. lang)\n'
  + 'finish("Thanks!")\n';

// Plays messages into a new interview of script and returns its id.
async function played(server, script, messages) {
  const iv = await server.newInterview(script);
  const ws = await connect(`${server.ws}/v1?token=${iv.token}`);
  try {
    for (const m of messages) {
      const frames = await ws.turn(iv.interview_id, m);
      assert.notEqual(frames.at(-1).type, 'error', JSON.stringify(frames));
    }
  } finally { ws.close(); }
  return iv.interview_id;
}

test('replay reports a scoring-only edit as different, with the score 6 → 10, as text and as JSON', async () => {
  const scripts = scriptsDirWith({ screen: screen(3) });
  const server = await startServer({ scripts });
  try {
    const scored = await played(server, 'screen', ['Hello', 'Lua', '2']);
    const waiting = await played(server, 'screen', ['Hello', 'C']); // no score yet: the same either way
    const args = ['screen', '--data', server.dataDir, '--scripts', scripts];

    const same = await cli(['replay', ...args]);
    assert.equal(same.code, 0, same.stdout + same.stderr);
    assert.match(same.stdout, /: 2 same, 0 different, 0 failing\n/);

    writeFileSync(path.join(scripts, 'screen.lua'), screen(5));
    const text = await cli(['replay', ...args]);
    assert.equal(text.code, 1, 'a difference exits 1');
    assert.ok(text.stdout.includes(`${scored} (Ada): different\n  score fit: 6 → 10\n`), text.stdout);
    assert.ok(text.stdout.includes(`${waiting} (Ada): same\n`), text.stdout);
    assert.match(text.stdout, /2 interviews of screen replayed against .*screen\.lua: 1 same, 1 different, 0 failing\n/);

    const json = await cli(['replay', ...args, '--json']);
    assert.equal(json.code, 1);
    const doc = JSON.parse(json.stdout);
    assert.equal(doc.script, 'screen');
    assert.equal(doc.error, null);
    assert.deepEqual(doc.summary, { same: 1, different: 1, failing: 0 });
    const byId = Object.fromEntries(doc.interviews.map((iv) => [iv.id, iv]));
    assert.deepEqual(byId[scored], {
      id: scored, candidate: 'Ada', status: 'different', turns: [], error: null,
      results: {
        scores: { fit: { old: 6, new: 10 } },
        notes: { added: [], removed: [] },
        tags: { added: [], removed: [] },
        answers: {},
      },
    });
    assert.equal(byId[waiting].status, 'same');
  } finally {
    await server.stop();
    server.cleanup();
    rmSync(scripts, { recursive: true, force: true });
  }
});

test('replay --json lists a changed turn with both sides and a failing interview with its error', async () => {
  const scripts = scriptsDirWith({ screen: screen(3) });
  const server = await startServer({ scripts });
  try {
    const go = await played(server, 'screen', ['Hello', 'Go', '4']);
    const c = await played(server, 'screen', ['Hello', 'C', '1']);
    writeFileSync(path.join(scripts, 'screen.lua'), screen(3)
      .replace('"How many years?"', '"How many years have you used " .. lang .. "?"')
      .replace('local years', 'if lang == "Go" then error("no Go yet") end\nlocal years'));
    const r = await cli(['replay', 'screen', '--json', '--data', server.dataDir, '--scripts', scripts]);
    assert.equal(r.code, 1);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(doc.summary, { same: 0, different: 1, failing: 1 });
    const byId = Object.fromEntries(doc.interviews.map((iv) => [iv.id, iv]));
    assert.equal(byId[c].status, 'different');
    assert.deepEqual(byId[c].turns, [{
      seq: 4,
      recorded: { seq: 4, role: 'bot', kind: 'ask', text: 'How many years?', choices: [] },
      replayed: { seq: 4, role: 'bot', kind: 'ask', text: 'How many years have you used C?', choices: [] },
    }]);
    assert.equal(byId[go].status, 'failing');
    assert.match(byId[go].error, /screen\.lua:2: no Go yet/);
  } finally {
    await server.stop();
    server.cleanup();
    rmSync(scripts, { recursive: true, force: true });
  }
});
