// client_msg_id makes a message exactly-once: a repeat is not run again; the original replies come back,
// marked "repeat": true, to the sending connection only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, cli } from '../lib/server.mjs';
import { connect } from '../lib/ws.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server.stop(); server.cleanup(); });

async function transcript(id) {
  const r = await cli(['show', id, '--json', '--data', server.dataDir]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout).transcript;
}

test('repeating a client_msg_id returns the original replies with repeat true and records the message once', async () => {
  const iv = await server.newInterview();
  const id = iv.interview_id;
  const url = `${server.ws}/v1?token=${iv.token}`;
  const a = await connect(url);
  const b = await connect(url);
  try {
    // b sees each first delivery as a broadcast.
    const hello = await a.turn(id, 'Hello', { client_msg_id: 'm-1' });
    for (const f of hello) assert.deepEqual(await b.next(), f);
    const original = await a.turn(id, 'Python', { client_msg_id: 'm-2' });
    for (const f of original) assert.deepEqual(await b.next(), f);
    assert.ok(original.every((f) => !('repeat' in f)), 'first delivery is not a repeat');

    const again = await a.turn(id, 'Python', { client_msg_id: 'm-2' });
    assert.equal(again.length, original.length, `same number of frames: ${JSON.stringify(again)}`);
    again.forEach((f, i) => {
      assert.equal(f.repeat, true, JSON.stringify(f));
      const { repeat, ...rest } = f;
      assert.deepEqual(rest, original[i], 'the original reply, unchanged');
    });

    // Only the sender got the repeat: b's next frame is the history it asks for.
    b.send({ action: 'history', interview_id: id });
    await b.next((f) => f.type === 'history');
    assert.deepEqual(b.frames, [], `b received nothing else: ${JSON.stringify(b.frames)}`);

    // Repeats of the opening message too, even after the interview moved on.
    const first = await a.turn(id, 'Hello', { client_msg_id: 'm-1' });
    assert.ok(first.every((f) => f.repeat === true));
    assert.equal(first.at(-1).message, 'Which language do you use most?');

    const t = await transcript(id);
    assert.deepEqual(t.filter((m) => m.role === 'candidate').map((m) => m.text), ['Hello', 'Python']);
    assert.equal(t.filter((m) => m.text === 'How many years have you worked with Python?').length, 1);

    // The flow is where it was: the next answer answers the years question.
    const next = await a.turn(id, '4', { client_msg_id: 'm-3' });
    assert.equal(next.at(-1).message, 'What is a piece of work you are proud of?');
  } finally { a.close(); b.close(); }
});

test('the same text with a new client_msg_id is a new message', async () => {
  const iv = await server.newInterview();
  const id = iv.interview_id;
  const c = await connect(`${server.ws}/v1?token=${iv.token}`);
  try {
    await c.turn(id, 'Hello', { client_msg_id: 'x-1' });
    const r1 = await c.turn(id, 'Haskell', { client_msg_id: 'x-2' });
    const r2 = await c.turn(id, 'Haskell', { client_msg_id: 'x-3' });
    assert.ok(r2.every((f) => !('repeat' in f)));
    assert.ok(r2.at(-1).seq > r1.at(-1).seq);
    const t = await transcript(id);
    assert.equal(t.filter((m) => m.role === 'candidate' && m.text === 'Haskell').length, 2);
  } finally { c.close(); }
});

test('a client_msg_id outside 1..128 characters is bad_request', async () => {
  const iv = await server.newInterview();
  const id = iv.interview_id;
  const c = await connect(`${server.ws}/v1?token=${iv.token}`);
  try {
    for (const bad of ['', 'k'.repeat(129), 7]) {
      c.send({ action: 'message', message: 'Hello', interview_id: id, client_msg_id: bad });
      const e = await c.next((f) => f.type === 'error');
      assert.equal(e.code, 'bad_request', JSON.stringify(e));
      assert.match(e.message, /client_msg_id/);
    }
    const ok = await c.turn(id, 'Hello', { client_msg_id: 'k'.repeat(128) });
    assert.equal(ok.at(-1).kind, 'ask');
  } finally { c.close(); }
});
