// Every error code of the protocol, each followed by proof that the connection stayed open (a history
// request still gets its answer).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { startServer, cli } from '../lib/server.mjs';
import { scriptsDirWith } from '../lib/fixtures.mjs';
import { connect } from '../lib/ws.mjs';

const BROKEN_ERROR_LINE = 4;
const scripts = scriptsDirWith({
  // Fails on the candidate's second answer, at line BROKEN_ERROR_LINE.
  broken: [
    'local first = ask("First question?")',
    'local second = ask("Second question?")',
    'local missing = nil',
    'missing.field = second',
    'finish("never reached")',
  ].join('\n') + '\n',
  short: 'finish("Bye.")\n',
  loop: 'while true do ask("next?") end\n',
}, { withDemo: true });

let server;
before(async () => { server = await startServer({ scripts }); });
after(async () => { await server.stop(); server.cleanup(); rmSync(scripts, { recursive: true, force: true }); });

async function open(script = 'demo') {
  const iv = await server.newInterview(script);
  const c = await connect(`${server.ws}/v1?token=${iv.token}`);
  return { iv, id: iv.interview_id, c };
}

// Waits for the next error frame and checks its shape.
async function expectError(c, code, interviewId) {
  const f = await c.next((x) => x.type === 'error');
  assert.equal(f.code, code, `expected ${code}: ${JSON.stringify(f)}`);
  assert.equal(typeof f.message, 'string');
  assert.ok(f.message.length > 0, 'the error carries a sentence');
  assert.ok('interview_id' in f, `interview_id present (null when none): ${JSON.stringify(f)}`);
  assert.equal(f.interview_id, interviewId, `interview_id echoed: ${JSON.stringify(f)}`);
  return f;
}

// The connection is still usable: a history request gets its frame.
async function assertStillOpen(c, id) {
  c.send({ action: 'history', interview_id: id });
  const h = await c.next((x) => x.type === 'history');
  assert.equal(h.interview_id, id);
  assert.ok(Array.isArray(h.messages));
  return h;
}

test('text that is not JSON is bad_request with interview_id null, and the connection stays open', async () => {
  const { id, c } = await open();
  try {
    c.send('this is {not json');
    await expectError(c, 'bad_request', null);
    await assertStillOpen(c, id);
  } finally { c.close(); }
});

test('a JSON array is bad_request, and the connection stays open', async () => {
  const { id, c } = await open();
  try {
    c.send(JSON.stringify([{ action: 'history', interview_id: id }]));
    await expectError(c, 'bad_request', null);
    await assertStillOpen(c, id);
  } finally { c.close(); }
});

test('a missing action is bad_request naming the field', async () => {
  const { id, c } = await open();
  try {
    c.send({ message: 'hi', interview_id: id });
    const e = await expectError(c, 'bad_request', id);
    assert.match(e.message, /action/);
    await assertStillOpen(c, id);
  } finally { c.close(); }
});

test('a missing interview_id is bad_request naming the field, with interview_id null', async () => {
  const { id, c } = await open();
  try {
    c.send({ action: 'message', message: 'hi' });
    const e = await expectError(c, 'bad_request', null);
    assert.match(e.message, /interview_id/);
    c.send({ action: 'history' });
    const e2 = await expectError(c, 'bad_request', null);
    assert.match(e2.message, /interview_id/);
    await assertStillOpen(c, id);
  } finally { c.close(); }
});

test('a message that is not a string is bad_request naming the field', async () => {
  const { id, c } = await open();
  try {
    c.send({ action: 'message', message: 42, interview_id: id });
    const e = await expectError(c, 'bad_request', id);
    assert.match(e.message, /message/);
    c.send({ action: 'message', interview_id: id });
    const e2 = await expectError(c, 'bad_request', id);
    assert.match(e2.message, /message/);
    const h = await assertStillOpen(c, id);
    assert.equal(h.status, 'new', 'nothing was recorded');
    assert.equal(h.messages.length, 0);
  } finally { c.close(); }
});

test('an empty message is bad_request and is not recorded', async () => {
  const { id, c } = await open();
  try {
    c.send({ action: 'message', message: '', interview_id: id });
    await expectError(c, 'bad_request', id);
    const h = await assertStillOpen(c, id);
    assert.equal(h.messages.length, 0);
  } finally { c.close(); }
});

test('a binary frame is bad_request with interview_id null', async () => {
  const { id, c } = await open();
  try {
    c.ws.send(Buffer.from(JSON.stringify({ action: 'history', interview_id: id })), { binary: true });
    await expectError(c, 'bad_request', null);
    await assertStillOpen(c, id);
  } finally { c.close(); }
});

test('a message that is not valid UTF-8 is bad_request, is not recorded, and history still works', async () => {
  const { id, c } = await open();
  try {
    const head = Buffer.from(`{"action":"message","interview_id":"${id}","message":"`);
    c.ws.send(Buffer.concat([head, Buffer.from([0xc3, 0x28]), Buffer.from('"}')]), { binary: false });
    const e = await expectError(c, 'bad_request', id);
    assert.match(e.message, /UTF-8/);
    const h = await assertStillOpen(c, id);
    assert.equal(h.messages.length, 0, 'nothing was recorded');
  } finally { c.close(); }
});

function bigMessage(id, bytes) {
  return JSON.stringify({ action: 'message', message: 'x'.repeat(bytes), interview_id: id });
}

test('a message over 128 KiB is too_large and is not recorded', async () => {
  const { id, c } = await open();
  try {
    c.send(bigMessage(id, 128 * 1024 + 1));
    const e = await c.next((x) => x.type === 'error');
    assert.equal(e.code, 'too_large', JSON.stringify(e));
    const h = await assertStillOpen(c, id);
    assert.equal(h.messages.length, 0);
  } finally { c.close(); }
});

test('a message over 128 KiB sent as fragments is too_large, and the connection stays open', async () => {
  const { id, c } = await open();
  try {
    const text = bigMessage(id, 200 * 1024);
    const step = 16 * 1024;
    for (let i = 0; i < text.length; i += step) c.ws.send(text.slice(i, i + step), { fin: i + step >= text.length });
    const e = await c.next((x) => x.type === 'error');
    assert.equal(e.code, 'too_large', JSON.stringify(e));
    const h = await assertStillOpen(c, id);
    assert.equal(h.messages.length, 0);
  } finally { c.close(); }
});

test('a small message sent as fragments is reassembled', async () => {
  const { id, c } = await open();
  try {
    const text = JSON.stringify({ action: 'message', message: 'Hello in three parts', interview_id: id });
    const parts = [text.slice(0, 10), text.slice(10, 30), text.slice(30)];
    parts.forEach((p, i) => c.ws.send(p, { fin: i === parts.length - 1 }));
    const f = await c.next((x) => x.kind === 'ask' || x.type === 'error');
    assert.equal(f.type, 'response', JSON.stringify(f));
    const h = await assertStillOpen(c, id);
    assert.equal(h.messages[0].text, 'Hello in three parts');
  } finally { c.close(); }
});

test('an unknown action is unknown_action', async () => {
  const { id, c } = await open();
  try {
    c.send({ action: 'dance', interview_id: id });
    await expectError(c, 'unknown_action', id);
    await assertStillOpen(c, id);
  } finally { c.close(); }
});

test('an unknown interview and another interview this token may not use get the same not_found', async () => {
  const { id, c } = await open();
  const other = await server.newInterview();
  try {
    const unknown = '0123456789abcdef';
    assert.notEqual(unknown, id);
    c.send({ action: 'message', message: 'hi', interview_id: unknown });
    const e1 = await expectError(c, 'not_found', unknown);
    c.send({ action: 'message', message: 'hi', interview_id: other.interview_id });
    const e2 = await expectError(c, 'not_found', other.interview_id);
    assert.equal(e2.message, e1.message, 'the same answer for both');
    c.send({ action: 'history', interview_id: other.interview_id });
    const e3 = await expectError(c, 'not_found', other.interview_id);
    assert.equal(e3.message, e1.message);
    c.send({ action: 'history', interview_id: unknown });
    const e4 = await expectError(c, 'not_found', unknown);
    assert.equal(e4.message, e1.message);
    await assertStillOpen(c, id);
    // The other interview was not touched.
    const shown = JSON.parse((await cli(['show', other.interview_id, '--json', '--data', server.dataDir])).stdout);
    assert.equal(shown.status, 'new');
    assert.equal(shown.transcript.length, 0);
  } finally { c.close(); }
});

test('a message to a finished interview is interview_finished, and history still works', async () => {
  const { id, c } = await open('short');
  try {
    const end = await c.turn(id, 'Hello');
    assert.equal(end.at(-1).kind, 'end', JSON.stringify(end));
    assert.equal(end.at(-1).done, true);
    c.send({ action: 'message', message: 'Anyone there?', interview_id: id });
    await expectError(c, 'interview_finished', id);
    const h = await assertStillOpen(c, id);
    assert.equal(h.status, 'finished');
    assert.ok(!h.messages.some((m) => m.text === 'Anyone there?'), 'the late message is not recorded');
  } finally { c.close(); }
});

test('a script failing on a turn is script_error: a polite sentence, the line in the record, the connection open', async () => {
  const { id, c } = await open('broken');
  try {
    assert.equal((await c.turn(id, 'Hello')).at(-1).message, 'First question?');
    assert.equal((await c.turn(id, 'one')).at(-1).message, 'Second question?');
    c.send({ action: 'message', message: 'two', interview_id: id });
    const e = await expectError(c, 'script_error', id);
    for (const leak of [/\.lua/, /nil value/, /attempt to/, /traceback/i, /missing/]) {
      assert.doesNotMatch(e.message, leak, `no Lua details reach the candidate: ${e.message}`);
    }
    const h = await assertStillOpen(c, id);
    assert.ok(!h.messages.some((m) => m.role === 'candidate' && m.text === 'two'), 'the failed message is not recorded');
    const r = await cli(['show', id, '--json', '--data', server.dataDir]);
    assert.equal(r.code, 0, r.stderr);
    const shown = JSON.parse(r.stdout);
    assert.equal(typeof shown.last_error, 'string', `last_error recorded: ${r.stdout}`);
    assert.match(shown.last_error, new RegExp(`broken\\.lua:${BROKEN_ERROR_LINE}\\b`));
    assert.match(server.log, new RegExp(`broken\\.lua:${BROKEN_ERROR_LINE}\\b`), 'the log gets the script line');
  } finally { c.close(); }
});

test('more than 20 messages a second on one connection is rate_limited, and the connection stays open', async () => {
  const { id, c } = await open('loop');
  try {
    for (let i = 0; i < 60; i++) c.send({ action: 'message', message: `answer ${i}`, interview_id: id });
    await expectError(c, 'rate_limited', id);
    // The limit is per second: retry history until the window has passed (bounded).
    const deadline = Date.now() + 5000;
    for (;;) {
      c.send({ action: 'history', interview_id: id });
      const f = await c.next((x) => x.type === 'history' || (x.type === 'error' && x.code === 'rate_limited'));
      if (f.type === 'history') {
        const answers = f.messages.filter((m) => m.role === 'candidate').length;
        assert.ok(answers >= 1 && answers < 60, `some messages were limited, not all: ${answers}`);
        break;
      }
      assert.ok(Date.now() < deadline, 'history works again within 5 s');
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally { c.close(); }
});
