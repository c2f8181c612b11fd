// The server and `interviewd try` refuse the same over-limit script at the same message, with the same
// error: both build turns through one module (src/turn.c), so a script that passes try cannot then fail
// the server on a limit. Each script is driven over WebSocket against the real server, and played by try
// from an answers file of the same messages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { startServer, cli, tempDir } from '../lib/server.mjs';
import { connect } from '../lib/ws.mjs';

const SCRIPTS = {
  // 64,000 bytes of notes a turn: the 17th message would take the results past 1 MiB.
  notes: 'while true do\n  for i = 1, 4 do note((\'n\'):rep(16000)) end\n  ask(\'more?\')\nend\n',
  // 62 says and an ask a turn, 64 entries with the candidate's message: after 79 turns the transcript
  // holds 5056 entries, past the 5000 it may hold, so the 80th message is refused.
  chatty: 'while true do\n  for i = 1, 62 do say(\'x\') end\n  ask(\'more?\')\nend\n',
};

// try names a script by the path it was given, the server by scripts/NAME.lua: run try from the
// directory holding scripts/ so both name it the same.
let root, scripts, server;
before(async () => {
  root = tempDir('interviewd-limits-');
  scripts = path.join(root, 'scripts');
  mkdirSync(scripts);
  for (const [name, src] of Object.entries(SCRIPTS)) writeFileSync(path.join(scripts, `${name}.lua`), src);
  server = await startServer({ scripts });
});
after(async () => { await server.stop(); server.cleanup(); rmSync(root, { recursive: true, force: true }); });

// Sends "go" until the server refuses one. A new connection every 30 messages stays under the
// per-connection rate limit (a burst of 40, then 20 a second). Resolves the turns that went through and
// the refusal.
async function sendUntilRefused(script, max) {
  const iv = await server.newInterview(script);
  let c = null;
  try {
    for (let n = 0; n < max; n++) {
      if (n % 30 === 0) {
        c?.close();
        c = await connect(`${server.ws}/v1?token=${iv.token}`);
      }
      const frames = await c.turn(iv.interview_id, 'go');
      const last = frames[frames.length - 1];
      if (last.type === 'error') return { id: iv.interview_id, accepted: n, error: last };
    }
  } finally { c?.close(); }
  throw new Error(`${script}: the server took ${max} messages without refusing one`);
}

async function show(id) {
  const r = await cli(['show', id, '--json', '--data', server.dataDir]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

// Plays scripts/NAME.lua with `count` lines of "go" and returns try's JSON (transcript, last_error).
async function tryScript(name, count) {
  const answers = path.join(root, `${name}.answers`);
  writeFileSync(answers, 'go\n'.repeat(count));
  const r = await cli(['try', `scripts/${name}.lua`, '--answers', answers, '--json'], { cwd: root, maxBuffer: 64 << 20 });
  assert.equal(r.code, 1, `try should fail: ${r.stderr.slice(0, 500)}`);
  const played = JSON.parse(r.stdout);
  assert.ok(r.stderr.startsWith(`${played.last_error}\n`), `try prints the error it records: ${r.stderr.slice(0, 500)}`);
  return played;
}

test('results past 1 MiB: the server and try refuse the 17th message with the same error', async () => {
  const served = await sendUntilRefused('notes', 40);
  assert.equal(served.accepted, 16);
  assert.equal(served.error.code, 'script_error', JSON.stringify(served.error));
  const recorded = await show(served.id);
  assert.equal(recorded.next_seq, 33, 'the refused message is not recorded');
  assert.equal(recorded.notes.length, 64);

  const tried = await tryScript('notes', 40);
  assert.equal(tried.last_error, recorded.last_error);
  assert.equal(tried.last_error,
    "scripts/notes.lua: the interview's results (notes, scores, answers, tags) would pass 1024 KiB; keep notes short");
  const refused = tried.transcript[tried.transcript.length - 1];
  assert.deepEqual([refused.seq, refused.role, refused.text], [33, 'candidate', 'go'], 'try stops at the same message');
  assert.equal(tried.notes.length, 64);
});

test('a transcript past 5000 entries: the server and try refuse the 80th message for the same limit', async () => {
  const served = await sendUntilRefused('chatty', 100);
  assert.equal(served.accepted, 79);
  assert.equal(served.error.code, 'too_large', JSON.stringify(served.error));
  assert.equal(served.error.message, "this interview's transcript has reached its size limit; nothing was recorded");
  const recorded = await show(served.id);
  assert.equal(recorded.next_seq, 5057);
  assert.equal(recorded.transcript.length, 5056);

  const tried = await tryScript('chatty', 100);
  assert.equal(tried.last_error, "scripts/chatty.lua: this interview's transcript has reached its size limit (5000 entries)");
  assert.ok(tried.last_error.includes(served.error.message.split(';')[0]), 'the same limit, in the same words');
  const refused = tried.transcript[tried.transcript.length - 1];
  assert.deepEqual([refused.seq, refused.role], [5057, 'candidate'], 'try stops at the same message');
  assert.deepEqual(tried.transcript.slice(0, -1).map((t) => t.text), recorded.transcript.map((t) => t.text));
});
