// The history action: the transcript so far in seq order, and the interview's status through its life.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { connect } from '../lib/ws.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server.stop(); server.cleanup(); });

async function history(c, id) {
  c.send({ action: 'history', interview_id: id });
  return c.next((f) => f.type === 'history');
}

function assertTranscript(h, id, startedAt) {
  assert.equal(h.interview_id, id);
  assert.equal(h.message, '');
  h.messages.forEach((m, i) => {
    assert.equal(m.seq, i + 1, `seq order without gaps: ${JSON.stringify(h.messages)}`);
    assert.ok(['bot', 'candidate'].includes(m.role), JSON.stringify(m));
    assert.equal(typeof m.text, 'string');
    assert.equal(typeof m.kind, 'string');
    assert.equal(m.role === 'candidate', m.kind === 'message', `candidate messages are kind message: ${JSON.stringify(m)}`);
    if (m.role === 'bot') assert.ok(['say', 'ask', 'end'].includes(m.kind), JSON.stringify(m));
    assert.ok(Number.isInteger(m.ts) && m.ts >= startedAt - 1000 && m.ts <= Date.now() + 1000, `ts in ms since the epoch: ${m.ts}`);
    if (i > 0) assert.ok(m.ts >= h.messages[i - 1].ts, 'ts never goes back');
  });
}

test('history returns the transcript in seq order with role, kind, text and ts, and status new/active/finished', async () => {
  const startedAt = Date.now();
  const iv = await server.newInterview();
  const id = iv.interview_id;
  const c = await connect(`${server.ws}/v1?token=${iv.token}`);
  try {
    const h0 = await history(c, id);
    assert.equal(h0.status, 'new');
    assert.deepEqual(h0.messages, []);

    const replies = await c.turn(id, 'Hello');
    const h1 = await history(c, id);
    assert.equal(h1.status, 'active');
    assertTranscript(h1, id, startedAt);
    assert.equal(h1.messages.length, 1 + replies.length);
    assert.deepEqual(h1.messages[0], { ...h1.messages[0], seq: 1, role: 'candidate', kind: 'message', text: 'Hello' });
    // The history agrees with the frames that were sent.
    replies.forEach((f, i) => {
      const m = h1.messages[i + 1];
      assert.equal(m.seq, f.seq);
      assert.equal(m.kind, f.kind);
      assert.equal(m.text, f.message);
      assert.equal(m.role, 'bot');
    });
    const ask = h1.messages.at(-1);
    assert.deepEqual(ask.choices, ['C', 'Python', 'JavaScript', 'Other']);
    assert.equal(ask.section, 'Experience', 'the section the question was asked in');

    await c.turn(id, 'C');
    await c.turn(id, '12');
    const end = await c.turn(id, 'A compiler.');
    assert.equal(end.at(-1).done, true);
    const h2 = await history(c, id);
    assert.equal(h2.status, 'finished');
    assertTranscript(h2, id, startedAt);
    assert.deepEqual(h2.messages.slice(0, h1.messages.length), h1.messages, 'history only grows');
    assert.deepEqual(h2.messages.filter((m) => m.role === 'candidate').map((m) => m.text), ['Hello', 'C', '12', 'A compiler.']);
    assert.equal(h2.messages.at(-1).kind, 'end');
    assert.equal(h2.messages.at(-1).text, 'Thanks! That is the end of the demo.');
  } finally { c.close(); }
});

test('history on a second connection shows what the first one did', async () => {
  const iv = await server.newInterview();
  const id = iv.interview_id;
  const a = await connect(`${server.ws}/v1?token=${iv.token}`);
  await a.turn(id, 'Hello from a phone');
  a.close();
  await a.closed;
  const b = await connect(`${server.ws}/v1?token=${iv.token}`);
  try {
    const h = await history(b, id);
    assert.equal(h.status, 'active');
    assert.equal(h.messages[0].text, 'Hello from a phone');
    assert.equal(h.messages.at(-1).kind, 'ask');
  } finally { b.close(); }
});
