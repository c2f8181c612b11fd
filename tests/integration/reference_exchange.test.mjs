// The reference spec's example exchange (../shared/websocket-api.md) against the real binary, and the demo
// interview played to its end: choices by text and by number, a number re-asked with a hint, free text.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { connect } from '../lib/ws.mjs';

const SPEC_KEYS = ['message', 'type', 'interview_id'];
const ADDITIVE_KEYS = ['seq', 'kind', 'choices', 'done'];

let server;
before(async () => { server = await startServer(); });
after(async () => { await server.stop(); server.cleanup(); });

// Every response frame: the spec's three keys with the promised types, otherwise only the additive ones.
function assertResponseFrame(f, id) {
  for (const k of SPEC_KEYS) assert.ok(k in f, `frame lacks '${k}': ${JSON.stringify(f)}`);
  for (const k of Object.keys(f)) assert.ok(SPEC_KEYS.includes(k) || ADDITIVE_KEYS.includes(k), `unexpected key '${k}': ${JSON.stringify(f)}`);
  assert.equal(typeof f.message, 'string');
  assert.equal(f.type, 'response');
  assert.equal(f.interview_id, id);
  assert.ok(Number.isInteger(f.seq) && f.seq > 0, `seq: ${JSON.stringify(f)}`);
  assert.ok(['say', 'ask', 'end'].includes(f.kind), `kind: ${JSON.stringify(f)}`);
  if ('choices' in f) assert.ok(Array.isArray(f.choices) && f.choices.every((c) => typeof c === 'string'));
  if ('done' in f) assert.equal(f.done, true);
}

function assertSeqsIncrease(frames) {
  for (let i = 1; i < frames.length; i++) assert.ok(frames[i].seq > frames[i - 1].seq, `seq order: ${JSON.stringify(frames)}`);
}

// Starts the demo and answers the language question with `choice`; returns the years question frame.
async function startDemoAndChoose(c, id, choice) {
  const first = await c.turn(id, 'Hello, I would like to start an interview');
  first.forEach((f) => assertResponseFrame(f, id));
  const ask = first.at(-1);
  assert.equal(ask.kind, 'ask');
  assert.deepEqual(ask.choices, ['C', 'Python', 'JavaScript', 'Other']);
  const years = await c.turn(id, choice);
  years.forEach((f) => assertResponseFrame(f, id));
  return years;
}

test('the reference spec example message gets response frames with exactly the promised keys', async () => {
  const iv = await server.newInterview();
  const c = await connect(`${server.ws}/v1?token=${iv.token}`);
  try {
    c.send({ action: 'message', message: 'Hello, I would like to start an interview', interview_id: iv.interview_id });
    const say = await c.next();
    assertResponseFrame(say, iv.interview_id);
    assert.equal(say.kind, 'say');
    assert.equal(say.seq, 2, 'the candidate message is seq 1, the first bot message seq 2');
    assert.match(say.message, /Hi Ada!/);
    assert.equal('choices' in say, false);
    const ask = await c.next();
    assertResponseFrame(ask, iv.interview_id);
    assert.equal(ask.kind, 'ask');
    assert.equal(ask.seq, 3);
    assert.equal(ask.message, 'Which language do you use most?');
    assert.deepEqual(ask.choices, ['C', 'Python', 'JavaScript', 'Other']);
    assert.equal('done' in ask, false);
  } finally { c.close(); }
});

test('the demo interview completes: choice by text, number re-asked with a hint, free text, end frame done', async () => {
  const iv = await server.newInterview();
  const id = iv.interview_id;
  const c = await connect(`${server.ws}/v1?token=${iv.token}`);
  try {
    const all = [];
    // Choice by text, case-insensitively.
    const years = await startDemoAndChoose(c, id, 'python');
    all.push(...years);
    assert.equal(years.at(-1).kind, 'ask');
    assert.equal(years.at(-1).message, 'How many years have you worked with Python?');

    // Out of range (max 60): re-asked, as response frames, with a hint that states the range.
    const reask = await c.turn(id, '99');
    reask.forEach((f) => assertResponseFrame(f, id));
    all.push(...reask);
    assert.equal(reask.at(-1).kind, 'ask', `re-ask ends in an ask: ${JSON.stringify(reask)}`);
    const text = reask.map((f) => f.message).join(' ');
    assert.match(text, /How many years have you worked with Python\?/, `the question is asked again: ${text}`);
    assert.notEqual(text, 'How many years have you worked with Python?', 'a hint accompanies the re-ask');
    assert.match(text, /60/, `the hint states the range: ${text}`);

    const proud = await c.turn(id, '7');
    proud.forEach((f) => assertResponseFrame(f, id));
    all.push(...proud);
    assert.equal(proud.at(-1).kind, 'ask');
    assert.equal(proud.at(-1).message, 'What is a piece of work you are proud of?');

    const end = await c.turn(id, 'A small HTTP server in C that never loses a request.');
    end.forEach((f) => assertResponseFrame(f, id));
    all.push(...end);
    const last = end.at(-1);
    assert.equal(last.kind, 'end');
    assert.equal(last.done, true);
    assert.equal(last.message, 'Thanks! That is the end of the demo.');
    assert.equal(end.filter((f) => f.done).length, 1, 'done only on the last frame');
    assertSeqsIncrease(all);
  } finally { c.close(); }
});

test('the demo accepts a choice by its number', async () => {
  const iv = await server.newInterview();
  const c = await connect(`${server.ws}/v1?token=${iv.token}`);
  try {
    const years = await startDemoAndChoose(c, iv.interview_id, '3');
    assert.equal(years.at(-1).message, 'How many years have you worked with JavaScript?');
  } finally { c.close(); }
});

test('a choice matching no option is re-asked with its choices and a hint', async () => {
  const iv = await server.newInterview();
  const id = iv.interview_id;
  const c = await connect(`${server.ws}/v1?token=${iv.token}`);
  try {
    await c.turn(id, 'Hello');
    const reask = await c.turn(id, 'Haskell');
    reask.forEach((f) => assertResponseFrame(f, id));
    const ask = reask.at(-1);
    assert.equal(ask.kind, 'ask');
    assert.deepEqual(ask.choices, ['C', 'Python', 'JavaScript', 'Other']);
    assert.notEqual(reask.map((f) => f.message).join(' '), 'Which language do you use most?', 'a hint accompanies the re-ask');
    const years = await c.turn(id, 'other');
    assert.equal(years.at(-1).message, 'How many years have you worked with Other?');
  } finally { c.close(); }
});
