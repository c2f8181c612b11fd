// Several connections on one interview (two tabs): every turn's replies reach all of them, in order.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { connect } from '../lib/ws.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server.stop(); server.cleanup(); });

// Collects frames on c up to and including the turn's last one (an ask or the end).
async function collectTurn(c) {
  const out = [];
  for (;;) {
    const f = await c.next();
    out.push(f);
    if (f.type === 'error' || f.kind === 'ask' || f.kind === 'end') return out;
  }
}

test('a turn sent on one connection arrives as response frames on both, in order', async () => {
  const iv = await server.newInterview();
  const id = iv.interview_id;
  const url = `${server.ws}/v1?token=${iv.token}`;
  const a = await connect(url);
  const b = await connect(url);
  try {
    const onA = await a.turn(id, 'Hello');
    const onB = await collectTurn(b);
    assert.deepEqual(onB, onA);
    assert.deepEqual(onA.map((f) => f.kind), ['say', 'ask']);
    assert.ok(onA.every((f) => f.type === 'response' && f.interview_id === id));

    // The other way round.
    const fromB = await b.turn(id, 'C');
    assert.deepEqual(await collectTurn(a), fromB);
    assert.match(fromB.at(-1).message, /years/);

    // Both send at once: turns are serialised (either order), and each connection sees the same sequence.
    a.send({ action: 'message', message: '3', interview_id: id });
    b.send({ action: 'message', message: 'Something I built', interview_id: id });
    const seqA = [...await collectTurn(a), ...await collectTurn(a)];
    const seqB = [...await collectTurn(b), ...await collectTurn(b)];
    assert.deepEqual(seqB, seqA);
    for (let i = 1; i < seqA.length; i++) assert.ok(seqA[i].seq > seqA[i - 1].seq, JSON.stringify(seqA));
    assert.equal(a.frames.length, 0, `nothing else on a: ${JSON.stringify(a.frames)}`);
  } finally { a.close(); b.close(); }
});

test('a connection on another interview receives nothing from this one', async () => {
  const one = await server.newInterview();
  const two = await server.newInterview();
  const a = await connect(`${server.ws}/v1?token=${one.token}`);
  const b = await connect(`${server.ws}/v1?token=${two.token}`);
  try {
    await a.turn(one.interview_id, 'Hello');
    // A frame b asks for marks the point by which a leaked broadcast would have been queued.
    b.send({ action: 'history', interview_id: two.interview_id });
    await b.next((f) => f.type === 'history');
    assert.deepEqual(b.frames, []);
  } finally { a.close(); b.close(); }
});
