// Durability and shutdown: SIGKILL mid-interview loses nothing and the flow resumes at the pending question;
// SIGTERM and SIGINT close WebSockets with 1001 and exit 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { startServer, tempDir, cli } from '../lib/server.mjs';
import { connect } from '../lib/ws.mjs';

async function history(c, id) {
  c.send({ action: 'history', interview_id: id });
  return c.next((f) => f.type === 'history');
}

test('SIGKILL mid-interview then restart: history intact, the next answer answers the pending question', async () => {
  const dataDir = tempDir();
  let server = await startServer({ dataDir });
  try {
    const iv = await server.newInterview();
    const id = iv.interview_id;
    let c = await connect(`${server.ws}/v1?token=${iv.token}`);
    await c.turn(id, 'Hello');
    const pending = await c.turn(id, 'JavaScript');
    assert.equal(pending.at(-1).message, 'How many years have you worked with JavaScript?');
    const before = await history(c, id);

    server.proc.kill('SIGKILL');
    const { signal } = await server.exited;
    assert.equal(signal, 'SIGKILL');
    await c.closed;

    server = await startServer({ dataDir });
    c = await connect(`${server.ws}/v1?token=${iv.token}`);
    try {
      const after = await history(c, id);
      assert.equal(after.status, 'active');
      assert.deepEqual(after.messages, before.messages, 'the transcript survived the kill unchanged');

      // "8" only makes sense as the answer to the years question; the script continues from there.
      const next = await c.turn(id, '8');
      assert.deepEqual(next.map((f) => f.kind), ['ask'], `exactly the next question: ${JSON.stringify(next)}`);
      assert.equal(next[0].message, 'What is a piece of work you are proud of?');
      assert.equal(next[0].seq, before.messages.at(-1).seq + 2, 'seq continues after the recorded turns');
      const end = await c.turn(id, 'The restart logic.');
      assert.equal(end.at(-1).kind, 'end');
      assert.equal(end.at(-1).done, true);

      const shown = JSON.parse((await cli(['show', id, '--json', '--data', dataDir])).stdout);
      assert.equal(shown.status, 'finished');
      assert.deepEqual(shown.transcript.filter((t) => t.role === 'candidate').map((t) => t.text),
        ['Hello', 'JavaScript', '8', 'The restart logic.']);
      const bot = shown.transcript.filter((t) => t.role === 'bot').map((t) => t.text);
      assert.equal(new Set(bot).size, bot.length, `no bot message was sent twice by the rebuild: ${JSON.stringify(bot)}`);
    } finally { c.close(); }
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('SIGKILL right after the first message: the interview resumes at its first question', async () => {
  const dataDir = tempDir();
  let server = await startServer({ dataDir });
  try {
    const iv = await server.newInterview();
    const id = iv.interview_id;
    let c = await connect(`${server.ws}/v1?token=${iv.token}`);
    await c.turn(id, 'Hello');
    server.proc.kill('SIGKILL');
    await server.exited;
    server = await startServer({ dataDir });
    c = await connect(`${server.ws}/v1?token=${iv.token}`);
    try {
      const next = await c.turn(id, 'other');
      assert.equal(next.at(-1).message, 'How many years have you worked with Other?');
    } finally { c.close(); }
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  test(`${signal} closes open WebSockets with 1001 and the process exits 0`, async () => {
    const server = await startServer();
    try {
      const iv = await server.newInterview();
      const a = await connect(`${server.ws}/v1?token=${iv.token}`);
      const b = await connect(`${server.ws}/v1?token=${iv.token}`);
      await a.turn(iv.interview_id, 'Hello');
      server.proc.kill(signal);
      const [ca, cb, exit] = await Promise.all([a.closed, b.closed, server.exited]);
      assert.equal(ca.code, 1001, `a closed with ${ca.code} ${ca.reason}`);
      assert.equal(cb.code, 1001, `b closed with ${cb.code} ${cb.reason}`);
      assert.deepEqual(exit, { code: 0, signal: null });
      // The operator's summary: one turn was served, and written in one durable commit.
      assert.match(server.log, /totals: turns=1 script_states_loaded=1 script_errors=0 writes=1 commits=1 /);
      assert.match(server.log, /stopped cleanly/);
    } finally {
      await server.stop();
      server.cleanup();
    }
  });
}

test('a second serve on the same data directory is refused while the first runs, and the first keeps working', async () => {
  const first = await startServer();
  try {
    const second = await cli(['serve', '--listen', '127.0.0.1:0', '--data', first.dataDir]);
    assert.equal(second.code, 1);
    assert.match(second.stderr, /another interviewd serve is using/);
    const iv = await first.newInterview();
    const c = await connect(`${first.ws}/v1?token=${iv.token}`);
    assert.equal((await c.turn(iv.interview_id, 'Hello')).at(-1).kind, 'ask');
    c.close();
  } finally {
    await first.stop();
    first.cleanup();
  }
});
