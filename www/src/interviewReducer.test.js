import { describe, expect, test } from 'vitest';
import { awaitingReply, currentChoices, initState, nextToSend, persisted, reducer } from './interviewReducer.js';

const ID = 'iv1';
const run = (s, ...actions) => actions.reduce(reducer, s);
const frame = (f) => ({ type: 'frame', frame: { interview_id: ID, message: '', ...f } });
const history = (messages, status = 'active') => frame({ type: 'history', status, messages });
const resp = (seq, kind, message, extra = {}) => frame({ type: 'response', seq, kind, message, ...extra });
const connected = () => run(initState(ID), { type: 'open' }, { type: 'history_requested' });

describe('reducer', () => {
  test('history replaces the transcript in seq order and sets the status', () => {
    const s = run(connected(), history([
      { seq: 2, role: 'bot', kind: 'say', text: 'Hi' },
      { seq: 1, role: 'candidate', kind: 'message', text: 'Hello' },
    ]));
    expect(s.messages.map((m) => m.seq)).toEqual([1, 2]);
    expect(s.lastSeq).toBe(2);
    expect(s.status).toBe('active');
    expect(s.history).toBe('loaded');
  });

  test('a response frame whose seq is already known is dropped (dedupe by seq)', () => {
    const s = run(connected(), history([{ seq: 1, role: 'candidate', text: 'Hello' }, { seq: 2, role: 'bot', kind: 'say', text: 'Hi' }]),
      resp(2, 'say', 'Hi'), resp(2, 'say', 'Hi', { repeat: true }));
    expect(s.messages).toHaveLength(2);
  });

  test('a reply to a sent message asks for history; the message is delivered once history lists its client_msg_id', () => {
    let s = run(connected(), history([], 'new'), { type: 'submit', text: 'Hello', id: 'c1' });
    expect(nextToSend(s)?.id).toBe('c1');
    s = run(s, { type: 'sent', id: 'c1' });
    expect(nextToSend(s)).toBe(null); // one in flight at a time
    s = run(s, resp(2, 'say', 'Hi Ada!'), resp(3, 'ask', 'Which?', { choices: ['C', 'Go'] }));
    expect(s.history).toBe('wanted');
    expect(s.pending.map((p) => p.state)).toEqual(['sent']); // not shown as delivered on a guess
    expect(s.messages.filter((m) => m.role === 'candidate')).toEqual([]);
    s = run(s, { type: 'history_requested' }, history([
      { seq: 1, role: 'candidate', text: 'Hello', client_msg_id: 'c1' },
      { seq: 2, role: 'bot', kind: 'say', text: 'Hi Ada!' }, { seq: 3, role: 'bot', kind: 'ask', text: 'Which?', choices: ['C', 'Go'] },
    ]));
    expect(s.pending).toEqual([]);
    expect(s.messages.map((m) => [m.seq, m.role, m.text])).toEqual([[1, 'candidate', 'Hello'], [2, 'bot', 'Hi Ada!'], [3, 'bot', 'Which?']]);
    expect(currentChoices(s)).toEqual(['C', 'Go']);
    expect(s.history).toBe('loaded');
  });

  test("two tabs: another tab's turn arriving while ours is in flight is never credited to ours", () => {
    const base = [{ seq: 1, role: 'candidate', text: 'Hello', client_msg_id: 'h' }, { seq: 2, role: 'bot', kind: 'ask', text: 'Q?' }];
    let s = run(connected(), history(base), { type: 'submit', text: 'mine', id: 'a' }, { type: 'sent', id: 'a' });
    // The other tab's answer (seq 3) was taken first; its reply reaches us at lastSeq + 2.
    s = run(s, resp(4, 'ask', 'Q2?'));
    expect(s.messages.find((m) => m.role === 'candidate' && m.text === 'mine')).toBe(undefined);
    expect(s.pending.map((p) => [p.id, p.state])).toEqual([['a', 'sent']]);
    expect(s.history).toBe('wanted');
    const other = [...base, { seq: 3, role: 'candidate', text: 'theirs', client_msg_id: 'b' }, { seq: 4, role: 'bot', kind: 'ask', text: 'Q2?' }];
    s = run(s, { type: 'history_requested' }, history(other));
    expect(s.messages.filter((m) => m.role === 'candidate').map((m) => m.text)).toEqual(['Hello', 'theirs']);
    expect(s.pending.map((p) => [p.id, p.state])).toEqual([['a', 'sent']]); // still ours to wait for
    expect(nextToSend(run(s, { type: 'submit', text: 'next', id: 'n' }))).toBe(null);
    // Then our own turn's reply: confirmed by id, at the seq the server gave it.
    s = run(s, resp(6, 'ask', 'Q3?'));
    expect(s.history).toBe('wanted');
    s = run(s, { type: 'history_requested' }, history([...other,
      { seq: 5, role: 'candidate', text: 'mine', client_msg_id: 'a' }, { seq: 6, role: 'bot', kind: 'ask', text: 'Q3?' }]));
    expect(s.pending).toEqual([]);
    expect(s.messages.find((m) => m.text === 'mine').seq).toBe(5);
  });

  test('a reply that lands while history is already on its way makes us ask again if ours is still missing', () => {
    const base = [{ seq: 1, role: 'candidate', text: 'Hello', client_msg_id: 'h' }, { seq: 2, role: 'bot', kind: 'ask', text: 'Q?' }];
    let s = run(connected(), history(base), { type: 'submit', text: 'mine', id: 'a' }, { type: 'sent', id: 'a' },
      resp(4, 'ask', 'Q2?'), { type: 'history_requested' }, resp(6, 'ask', 'Q3?'));
    expect(s.history).toBe('recheck'); // one request at a time: asked again once this one lands
    s = run(s, history([...base, { seq: 3, role: 'candidate', text: 'theirs', client_msg_id: 'b' }, { seq: 4, role: 'bot', kind: 'ask', text: 'Q2?' }]));
    expect(s.pending[0].state).toBe('sent');
    expect(s.history).toBe('wanted');
  });

  test('a seq that skips ahead (another tab answered) asks for history again', () => {
    let s = run(connected(), history([{ seq: 1, role: 'candidate', text: 'Hello' }, { seq: 2, role: 'bot', kind: 'ask', text: 'Q?' }]));
    s = run(s, resp(4, 'ask', 'Next?'));
    expect(s.history).toBe('wanted');
    expect(s.messages.map((m) => m.seq)).toEqual([1, 2, 4]);
    s = run(s, { type: 'history_requested' }, history([
      { seq: 1, role: 'candidate', text: 'Hello' }, { seq: 2, role: 'bot', kind: 'ask', text: 'Q?' },
      { seq: 3, role: 'candidate', text: 'answer from the other tab' }, { seq: 4, role: 'bot', kind: 'ask', text: 'Next?' },
    ]));
    expect(s.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    expect(s.history).toBe('loaded');
  });

  test('answers typed while disconnected wait in the outbox until history has arrived, then go one at a time', () => {
    let s = run(initState(ID), { type: 'closed', opened: false, retryAt: 1 },
      { type: 'submit', text: 'first', id: 'a' }, { type: 'submit', text: 'second', id: 'b' });
    expect(nextToSend(s)).toBe(null);
    s = run(s, { type: 'open' });
    expect(s.history).toBe('wanted');
    expect(nextToSend(s)).toBe(null); // not before history
    s = run(s, { type: 'history_requested' }, history([{ seq: 1, role: 'candidate', text: 'Hello' }, { seq: 2, role: 'bot', kind: 'ask', text: 'Q?' }]));
    expect(nextToSend(s)?.id).toBe('a');
    s = run(s, { type: 'sent', id: 'a' }, resp(4, 'ask', 'Q2?'));
    expect(nextToSend(s)).toBe(null); // not before history confirms 'a'
    s = run(s, { type: 'history_requested' }, history([{ seq: 1, role: 'candidate', text: 'Hello' }, { seq: 2, role: 'bot', kind: 'ask', text: 'Q?' },
      { seq: 3, role: 'candidate', text: 'first', client_msg_id: 'a' }, { seq: 4, role: 'bot', kind: 'ask', text: 'Q2?' }]));
    expect(nextToSend(s)?.id).toBe('b');
  });

  test('a message sent just before the connection dropped is re-queued, and dropped if history shows it arrived', () => {
    let s = run(connected(), history([{ seq: 1, role: 'candidate', text: 'Hello' }, { seq: 2, role: 'bot', kind: 'ask', text: 'Q?' }]),
      { type: 'submit', text: 'my answer', id: 'a' }, { type: 'sent', id: 'a' }, { type: 'closed', opened: true, retryAt: 1 });
    expect(s.pending[0].state).toBe('queued');
    s = run(s, { type: 'open' }, { type: 'history_requested' }, history([
      { seq: 1, role: 'candidate', text: 'Hello' }, { seq: 2, role: 'bot', kind: 'ask', text: 'Q?' },
      { seq: 3, role: 'candidate', text: 'my answer' }, { seq: 4, role: 'bot', kind: 'ask', text: 'Q2?' },
    ]));
    expect(s.pending).toEqual([]);
  });

  test('replayed replies ("repeat": true) confirm the pending message without duplicating bubbles', () => {
    let s = run(connected(), history([{ seq: 1, role: 'candidate', text: 'Hello' }, { seq: 2, role: 'bot', kind: 'ask', text: 'Q?' },
      { seq: 3, role: 'candidate', text: 'x' }, { seq: 4, role: 'bot', kind: 'ask', text: 'Q2?' }]),
    { type: 'submit', text: 'different text', id: 'a' }, { type: 'sent', id: 'a' });
    s = run(s, resp(4, 'ask', 'Q2?', { repeat: true }));
    expect(s.messages).toHaveLength(4);
    expect(s.history).toBe('wanted'); // the transcript gives our message its seq
    s = run(s, { type: 'history_requested' }, history([{ seq: 1, role: 'candidate', text: 'Hello' }, { seq: 2, role: 'bot', kind: 'ask', text: 'Q?' },
      { seq: 3, role: 'candidate', text: 'x', client_msg_id: 'a' }, { seq: 4, role: 'bot', kind: 'ask', text: 'Q2?' }]));
    expect(s.pending).toEqual([]);
    expect(s.messages).toHaveLength(4);
  });

  test('done ends the interview: the answer in flight stays shown until history lists it, nothing queued goes out', () => {
    let s = run(connected(), history([{ seq: 1, role: 'candidate', text: 'Hello' }, { seq: 2, role: 'bot', kind: 'ask', text: 'Q?' }]),
      { type: 'submit', text: 'a', id: 'a' }, { type: 'sent', id: 'a' }, { type: 'submit', text: 'typed ahead', id: 'b' },
      resp(4, 'end', 'Thanks!', { done: true }));
    expect(s.status).toBe('finished');
    expect(s.pending.map((p) => [p.id, p.state])).toEqual([['a', 'sent']]); // never a moment without the last answer
    expect(s.history).toBe('wanted');
    expect(nextToSend(run(s, { type: 'submit', text: 'more', id: 'c' }))).toBe(null);
    s = run(s, { type: 'history_requested' }, history([{ seq: 1, role: 'candidate', text: 'Hello' }, { seq: 2, role: 'bot', kind: 'ask', text: 'Q?' },
      { seq: 3, role: 'candidate', text: 'a', client_msg_id: 'a' }, { seq: 4, role: 'bot', kind: 'end', text: 'Thanks!' }], 'finished'));
    expect(s.pending).toEqual([]);
    expect(s.messages.map((m) => m.text)).toEqual(['Hello', 'Q?', 'a', 'Thanks!']);
  });

  test('an error frame becomes a notice, never a message; a refused answer stays, marked refused', () => {
    const s = run(connected(), history([{ seq: 1, role: 'candidate', text: 'Hello' }, { seq: 2, role: 'bot', kind: 'ask', text: 'Q?' }]),
      { type: 'submit', text: 'boom', id: 'a' }, { type: 'sent', id: 'a' }, frame({ type: 'error', code: 'script_error', message: 'sorry' }));
    expect(s.messages).toHaveLength(2);
    expect(s.error).toEqual({ code: 'script_error', message: 'sorry', forId: 'a' });
    expect(s.pending.map((p) => [p.id, p.text, p.state, p.code])).toEqual([['a', 'boom', 'refused', 'script_error']]);
  });

  test('a refusal pauses the outbox: what was queued behind it waits, and the notice stays, until the candidate acts', () => {
    const base = [{ seq: 1, role: 'candidate', text: 'Hello', client_msg_id: 'h' }, { seq: 2, role: 'bot', kind: 'ask', text: 'Q?' }];
    let s = run(connected(), history(base), { type: 'submit', text: 'boom', id: 'a' }, { type: 'sent', id: 'a' },
      { type: 'submit', text: 'typed meanwhile', id: 'b' }, frame({ type: 'error', code: 'script_error', message: 'sorry' }));
    expect(nextToSend(s)).toBe(null);
    s = run(s, { type: 'submit', text: 'and more', id: 'c' }, resp(2, 'ask', 'Q?', { repeat: true }), resp(3, 'say', 'unrelated'));
    expect(nextToSend(s)).toBe(null);
    expect(s.error?.code).toBe('script_error');
    // Retry: the refused answer goes first, under its own id, and the notice goes away.
    const retried = run(s, { type: 'retry', id: 'a' });
    expect(retried.error).toBe(null);
    expect(nextToSend(retried)?.id).toBe('a');
    // Edit: new text under a new id, still first in line.
    const edited = run(s, { type: 'edit', id: 'a', text: 'shorter', newId: 'a2' });
    expect(nextToSend(edited)).toMatchObject({ id: 'a2', text: 'shorter' });
    expect(edited.error).toBe(null);
    // Discard: the next one may go.
    const dropped = run(s, { type: 'discard', id: 'a' });
    expect(nextToSend(dropped)?.id).toBe('b');
  });

  test('a refused answer is still refused (not resent) after a reconnect or a reload', () => {
    let s = run(connected(), history([], 'new'), { type: 'submit', text: 'boom', id: 'a' }, { type: 'sent', id: 'a' },
      frame({ type: 'error', code: 'too_large', message: 'too big' }), { type: 'closed', opened: true, retryAt: 1 }, { type: 'open' });
    expect(s.pending[0].state).toBe('refused');
    const back = initState(ID, JSON.parse(JSON.stringify(persisted(s))));
    expect(back.pending.map((p) => [p.state, p.code])).toEqual([['refused', 'too_large']]);
    expect(nextToSend(run(back, { type: 'open' }, { type: 'history_requested' }, history([], 'new')))).toBe(null);
  });

  test('unavailable keeps the answer queued but held back until unblocked', () => {
    let s = run(connected(), history([], 'new'), { type: 'submit', text: 'hi', id: 'a' }, { type: 'sent', id: 'a' },
      frame({ type: 'error', code: 'unavailable', message: 'shutting down' }));
    expect(s.pending).toHaveLength(1);
    expect(nextToSend(s)).toBe(null);
    expect(s.unavailableCount).toBe(1);
    s = run(s, { type: 'unblock' });
    expect(nextToSend(s)?.id).toBe('a');
    s = run(s, { type: 'sent', id: 'a' }, frame({ type: 'error', code: 'unavailable', message: 'shutting down' }));
    expect(s.unavailableCount).toBe(2); // the hook backs off by this count
    s = run(s, { type: 'unblock' }, { type: 'sent', id: 'a' }, resp(2, 'say', 'Hi'), { type: 'history_requested' },
      history([{ seq: 1, role: 'candidate', text: 'hi', client_msg_id: 'a' }, { seq: 2, role: 'bot', kind: 'say', text: 'Hi' }]));
    expect(s.pending).toEqual([]);
    expect(s.unavailableCount).toBe(0);
  });

  test('not_found is fatal', () => {
    const s = run(connected(), frame({ type: 'error', code: 'not_found', message: 'no such interview' }));
    expect(s.fatal.code).toBe('not_found');
  });

  test('frames for another interview are ignored', () => {
    const s = run(connected(), { type: 'frame', frame: { type: 'response', interview_id: 'other', seq: 1, kind: 'say', message: 'x' } });
    expect(s.messages).toEqual([]);
  });

  test('the outbox and transcript survive a reload via persisted()/initState()', () => {
    const s = run(connected(), history([{ seq: 1, role: 'candidate', text: 'Hello' }]), { type: 'submit', text: 'kept', id: 'k' }, { type: 'sent', id: 'k' });
    const back = initState(ID, JSON.parse(JSON.stringify(persisted(s))));
    expect(back.pending).toEqual([{ id: 'k', text: 'kept', state: 'queued', afterSeq: 1, attempted: true, blocked: false }]);
    expect(back.messages).toHaveLength(1);
    expect(back.history).toBe('none');
  });
});

// The transcript is asked for once per connection and only again when a frame shows it moved on; one
// request is out at a time, and nothing is sent before this connection's answer has arrived.
describe('history requests', () => {
  const base = [{ seq: 1, role: 'candidate', text: 'Hello', client_msg_id: 'h' }, { seq: 2, role: 'bot', kind: 'ask', text: 'Q?' }];
  const requested = () => run(initState(ID), { type: 'open' }, { type: 'history_requested' });

  test('each open asks once; the outbox waits until that history has arrived', () => {
    let s = run(initState(ID), { type: 'submit', text: 'typed early', id: 'a' });
    expect(s.history).toBe('none');
    s = run(s, { type: 'open' });
    expect(s.history).toBe('wanted');
    s = run(s, { type: 'history_requested' });
    expect(s.history).toBe('requested');
    expect(nextToSend(s)).toBe(null);
    s = run(s, history(base));
    expect(s.history).toBe('loaded');
    expect(nextToSend(s)?.id).toBe('a');
  });

  test('frames that are not news do not ask again: the next seq, a repeat, a second history', () => {
    const s = run(requested(), history(base), resp(3, 'say', 'More'), resp(2, 'ask', 'Q?', { repeat: true }), history(base));
    expect(s.history).toBe('loaded');
  });

  test('a reconnect asks again; the old socket\'s unanswered request is neither awaited nor blocks the new one', () => {
    let s = run(requested(), history(base), resp(4, 'ask', 'Later?'), { type: 'history_requested' });
    expect(awaitingReply(s)).toBe(true);
    s = run(s, { type: 'closed', opened: true, retryAt: 1 });
    expect(s.history).toBe('none');
    expect(awaitingReply(s)).toBe(false);
    s = run(s, { type: 'open' });
    expect(s.history).toBe('wanted');
    s = run(s, { type: 'history_requested' }, history([...base, { seq: 3, role: 'candidate', text: 'x' }, { seq: 4, role: 'bot', kind: 'ask', text: 'Later?' }]));
    expect(s.history).toBe('loaded');
  });

  test('the stall watchdog runs while a history request is out, and stops once it is answered', () => {
    expect(awaitingReply(run(initState(ID), { type: 'open' }))).toBe(false);
    expect(awaitingReply(requested())).toBe(true);
    expect(awaitingReply(run(requested(), history(base)))).toBe(false);
  });

  test('a reply while ours is in flight and a request is out: asked again only if that history misses ours', () => {
    const out = run(requested(), history(base), { type: 'submit', text: 'mine', id: 'a' }, { type: 'sent', id: 'a' },
      resp(4, 'ask', 'Q2?'), { type: 'history_requested' }, resp(4, 'ask', 'Q2?', { repeat: true }));
    expect(out.history).toBe('recheck');
    const confirmed = run(out, history([...base, { seq: 3, role: 'candidate', text: 'mine', client_msg_id: 'a' }, { seq: 4, role: 'bot', kind: 'ask', text: 'Q2?' }]));
    expect(confirmed.history).toBe('loaded');
    expect(confirmed.pending).toEqual([]);
    const missed = run(out, history([...base, { seq: 3, role: 'candidate', text: 'theirs', client_msg_id: 'b' }, { seq: 4, role: 'bot', kind: 'ask', text: 'Q2?' }]));
    expect(missed.history).toBe('wanted');
  });

  test('a seq gap while a request is out: asked again only if that history stops short of it', () => {
    const out = run(requested(), resp(4, 'ask', 'Q2?'));
    expect(out.history).toBe('recheck');
    const full = [...base, { seq: 3, role: 'candidate', text: 'other tab' }, { seq: 4, role: 'bot', kind: 'ask', text: 'Q2?' }];
    expect(run(out, history(full)).history).toBe('loaded');
    const short = run(out, history(base));
    expect(short.history).toBe('wanted');
    expect(run(short, { type: 'history_requested' }, history(full)).messages.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
  });

  test('the team closing the interview (a done frame without a seq) ends it, and a closed history reads as over', () => {
    const base = [{ seq: 1, role: 'candidate', text: 'Hello' }, { seq: 2, role: 'bot', kind: 'ask', text: 'Q?' }];
    const s = run(connected(), history(base), { type: 'submit', text: 'unsent', id: 'u' },
      frame({ type: 'response', kind: 'end', done: true, message: 'This interview has been closed.' }));
    expect(s.status).toBe('finished');
    expect(s.messages.map((m) => m.seq)).toEqual([1, 2]);
    expect(s.pending).toEqual([]);
    expect(s.history).toBe('wanted');
    expect(run(connected(), history(base, 'closed')).status).toBe('finished');
    // A seq-less frame that is not done is still ignored.
    expect(run(connected(), history(base), frame({ type: 'response', kind: 'say', message: 'x' })).status).toBe('active');
  });

  test("'interview_finished' asks for the transcript that says so, once the one already asked for has come", () => {
    const loaded = run(requested(), history(base), frame({ type: 'error', code: 'interview_finished', message: 'over' }));
    expect(loaded.history).toBe('wanted');
    const out = run(requested(), frame({ type: 'error', code: 'interview_finished', message: 'over' }));
    expect(out.history).toBe('recheck');
    expect(run(out, history(base, 'active')).history).toBe('wanted');
    expect(run(out, history([...base, { seq: 3, role: 'bot', kind: 'end', text: 'Bye' }], 'finished')).history).toBe('loaded');
  });
});
