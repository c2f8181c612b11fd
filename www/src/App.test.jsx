// The whole page against a fake socket: the frames it sends and what the candidate sees.
import { afterEach, describe, expect, test, vi } from 'vitest';
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import App, { START_MESSAGE } from './App.jsx';
import { fakeSocketFactory } from './testing/FakeWebSocket.js';

const ID = 'iv1';
const SEARCH = `?interview=${ID}&token=tok`;

// fetchImpl answers the invalid-link probe: 200 (the token is fine) unless a test says otherwise.
function mount(options = {}) {
  const f = fakeSocketFactory();
  const fetchImpl = options.fetchImpl || vi.fn(async () => ({ status: 200 }));
  render(<App search={SEARCH} url="ws://test/v1?token=tok" WebSocketImpl={f.FakeWebSocket} {...options} fetchImpl={fetchImpl} />);
  return { ...f, fetchImpl };
}

afterEach(() => { vi.useRealTimers(); });

const messagesSent = (ws) => ws.sent.filter((m) => m.action === 'message');
const historyAsked = (ws) => ws.sent.filter((m) => m.action === 'history').length;

const rsp = (seq, kind, message, extra = {}) => ({ type: 'response', interview_id: ID, seq, kind, message, ...extra });
const hist = (messages, status = 'active') => ({ type: 'history', interview_id: ID, message: '', status, messages });
const Q1 = [
  { seq: 1, role: 'candidate', kind: 'message', text: 'Hello' },
  { seq: 2, role: 'bot', kind: 'say', text: 'Hi Ada!' },
  { seq: 3, role: 'bot', kind: 'ask', text: 'Which language do you use most?', choices: ['C', 'Python', 'JavaScript', 'Other'] },
];

async function connectedWith(f, messages, status) {
  const ws = f.last();
  act(() => ws.open());
  expect(ws.sent[0]).toEqual({ action: 'history', interview_id: ID });
  act(() => ws.receive(hist(messages, status)));
  return ws;
}

describe('App', () => {
  test('a link without interview or token says so', () => {
    render(<App search="?interview=abc" />);
    expect(screen.getByTestId('problem').textContent).toMatch(/This link is incomplete — ask your interviewer for a new one/);
  });

  test('a new interview shows a welcome; Start sends the first message with a client_msg_id', async () => {
    const f = mount();
    const ws = await connectedWith(f, [], 'new');
    expect(screen.getByTestId('status').dataset.state).toBe('connected');
    expect(document.activeElement).toBe(screen.getByRole('button', { name: /Start the interview/ })); // Enter starts
    fireEvent.click(screen.getByRole('button', { name: /Start the interview/ }));
    const sent = ws.sent[1];
    expect(sent).toMatchObject({ action: 'message', interview_id: ID, message: START_MESSAGE });
    expect(typeof sent.client_msg_id).toBe('string');
    expect(screen.getByTestId('msg-pending').textContent).toContain(START_MESSAGE);
    act(() => { ws.receive(rsp(2, 'say', 'Hi Ada!')); ws.receive(rsp(3, 'ask', 'Which language?', { choices: ['C', 'Python'] })); });
    // Replies do not say whose turn they answer: the page asks for the transcript to find out.
    expect(ws.sent.at(-1)).toEqual({ action: 'history', interview_id: ID });
    act(() => ws.receive(hist([{ seq: 1, role: 'candidate', kind: 'message', text: START_MESSAGE, client_msg_id: sent.client_msg_id },
      { seq: 2, role: 'bot', kind: 'say', text: 'Hi Ada!' }, { seq: 3, role: 'bot', kind: 'ask', text: 'Which language?', choices: ['C', 'Python'] }])));
    expect(screen.queryByTestId('msg-pending')).toBe(null);
    expect(screen.getAllByTestId('msg-candidate').map((e) => e.dataset.seq)).toEqual(['1']);
    expect(screen.getByTestId('announcer').textContent).toBe('Hi Ada! Which language?');
  });

  test('clicking a choice sends that option text; typing stays possible', async () => {
    const f = mount();
    const ws = await connectedWith(f, Q1);
    expect(screen.getByLabelText('Your answer')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Python' }));
    expect(ws.sent.at(-1)).toMatchObject({ action: 'message', message: 'Python' });
    expect(screen.queryByTestId('choices')).toBe(null);
    expect(document.activeElement).toBe(screen.getByLabelText('Your answer')); // not <body> with the button gone
  });

  test('a question offering the same option twice: both buttons show, and the second sends that text', async () => {
    const f = mount();
    const ws = await connectedWith(f, [...Q1.slice(0, 2), { seq: 3, role: 'bot', kind: 'ask', text: 'Ready?', choices: ['Yes', 'Yes', 'No'] }]);
    const buttons = within(screen.getByTestId('choices')).getAllByRole('button');
    expect(buttons.map((b) => b.textContent)).toEqual(['Yes', 'Yes', 'No']);
    fireEvent.click(buttons[1]);
    expect(messagesSent(ws)).toEqual([expect.objectContaining({ message: 'Yes', interview_id: ID })]);
  });

  test('the end state replaces the input once done arrives', async () => {
    const f = mount();
    const ws = await connectedWith(f, Q1);
    fireEvent.change(screen.getByLabelText('Your answer'), { target: { value: 'C' } });
    fireEvent.keyDown(screen.getByLabelText('Your answer'), { key: 'Enter' });
    act(() => ws.receive(rsp(5, 'end', 'Thanks!', { done: true })));
    expect(screen.getByTestId('end-state')).toBeTruthy();
    expect(screen.queryByLabelText('Your answer')).toBe(null);
    expect(screen.queryByTestId('choices')).toBe(null);
  });

  test('an unsent draft survives a reload of the page; sending or the end of the interview clears it', async () => {
    let f = mount();
    await connectedWith(f, Q1);
    fireEvent.change(screen.getByLabelText('Your answer'), { target: { value: 'half of a long answer' } });
    cleanup(); // the tab reloads
    f = mount();
    const ws = await connectedWith(f, Q1);
    const box = screen.getByLabelText('Your answer');
    expect(box.value).toBe('half of a long answer');
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(messagesSent(ws).at(-1).message).toBe('half of a long answer');
    cleanup();
    f = mount();
    await connectedWith(f, Q1);
    expect(screen.getByLabelText('Your answer').value).toBe('');
    fireEvent.change(screen.getByLabelText('Your answer'), { target: { value: 'never sent' } });
    act(() => f.last().receive(rsp(5, 'end', 'Thanks!', { done: true })));
    expect(window.sessionStorage.getItem(`interviewd:${ID}:draft`)).toBe(null);
  });

  test('a finished interview from history shows only the end state', async () => {
    const f = mount();
    await connectedWith(f, [...Q1, { seq: 4, role: 'candidate', text: 'C' }, { seq: 5, role: 'bot', kind: 'end', text: 'Bye' }], 'finished');
    expect(screen.getByTestId('end-state')).toBeTruthy();
    expect(screen.queryByLabelText('Your answer')).toBe(null);
  });

  test('an error frame is a notice beside the input, not a bot message', async () => {
    const f = mount();
    const ws = await connectedWith(f, Q1);
    act(() => ws.receive({ type: 'error', interview_id: ID, code: 'rate_limited', message: 'too many messages' }));
    const notice = screen.getByTestId('error-notice');
    expect(notice.getAttribute('role')).toBe('alert');
    expect(screen.getByTestId('composer').contains(notice)).toBe(true);
    expect(within(screen.getByTestId('messages')).queryByText(/too many|wait a moment/)).toBe(null);
    expect(screen.getAllByTestId('msg-bot')).toHaveLength(2);
  });

  test('not_found shows a clear message and no input', async () => {
    const f = mount();
    const ws = f.last();
    act(() => ws.open());
    act(() => ws.receive({ type: 'error', interview_id: ID, code: 'not_found', message: 'no such interview' }));
    expect(screen.getByTestId('problem').textContent).toMatch(/could not find this interview/);
    expect(screen.queryByLabelText('Your answer')).toBe(null);
  });

  test('an answer typed while disconnected is sent once after reconnecting and history', async () => {
    const f = mount();
    const ws = await connectedWith(f, Q1);
    act(() => ws.drop());
    expect(screen.getByTestId('status').dataset.state).toBe('reconnecting');
    fireEvent.change(screen.getByLabelText('Your answer'), { target: { value: 'JavaScript' } });
    fireEvent.keyDown(screen.getByLabelText('Your answer'), { key: 'Enter' });
    expect(screen.getByTestId('msg-pending').dataset.state).toBe('queued');
    await waitFor(() => expect(f.sockets.length).toBe(2), { timeout: 3000 });
    const ws2 = f.last();
    act(() => ws2.open());
    expect(ws2.sent).toEqual([{ action: 'history', interview_id: ID }]);
    act(() => ws2.receive(hist(Q1)));
    const msgs = ws2.sent.filter((m) => m.action === 'message');
    expect(msgs).toHaveLength(1);
    expect(msgs[0].message).toBe('JavaScript');
    act(() => ws2.receive(rsp(5, 'ask', 'How many years?')));
    act(() => ws2.receive(hist([...Q1, { seq: 4, role: 'candidate', text: 'JavaScript', client_msg_id: msgs[0].client_msg_id },
      { seq: 5, role: 'bot', kind: 'ask', text: 'How many years?' }])));
    expect(ws2.sent.filter((m) => m.action === 'message')).toHaveLength(1);
    expect(screen.getAllByTestId('msg-candidate').map((e) => e.textContent)).toEqual(['You: Hello', 'You: JavaScript']);
  });

  test('the transcript is asked for once per connection, not on every reply, and again after a reconnect', async () => {
    const f = mount();
    const ws = await connectedWith(f, Q1);
    act(() => { ws.receive(rsp(4, 'say', 'A note from the interviewer')); ws.receive(rsp(4, 'say', 'A note from the interviewer', { repeat: true })); });
    expect(historyAsked(ws)).toBe(1);
    act(() => ws.drop());
    await waitFor(() => expect(f.sockets.length).toBe(2), { timeout: 3000 });
    act(() => f.last().open());
    expect(f.last().sent).toEqual([{ action: 'history', interview_id: ID }]);
    act(() => f.last().receive(hist(Q1)));
    expect(historyAsked(f.last())).toBe(1);
  });

  test('sockets that keep closing before they open show a could-not-connect hint', async () => {
    const f = mount();
    act(() => f.last().drop());
    await waitFor(() => expect(f.sockets.length).toBe(2), { timeout: 3000 });
    act(() => f.last().drop());
    expect(screen.getByTestId('connect-problem').textContent).toMatch(/Could not connect. If this keeps happening, your link may be invalid or expired./);
  });

  test('the browser going offline shows offline even while the socket lingers, and back online again', async () => {
    const f = mount();
    await connectedWith(f, Q1);
    act(() => window.dispatchEvent(new Event('offline')));
    expect(screen.getByTestId('status').dataset.state).toBe('offline');
    act(() => window.dispatchEvent(new Event('online')));
    expect(screen.getByTestId('status').dataset.state).toBe('connected');
  });

  test('a refused answer is kept as "Not sent", the draft is untouched, and nothing queued behind it goes out until Retry', async () => {
    const f = mount();
    const ws = await connectedWith(f, Q1);
    const box = screen.getByLabelText('Your answer');
    fireEvent.change(box, { target: { value: 'Python' } });
    fireEvent.keyDown(box, { key: 'Enter' });
    fireEvent.change(box, { target: { value: 'ten years' } });
    fireEvent.keyDown(box, { key: 'Enter' }); // typed ahead while the first is on its way
    expect(messagesSent(ws).map((m) => m.message)).toEqual(['Python']);
    fireEvent.change(box, { target: { value: 'a draft in progress' } });
    act(() => ws.receive({ type: 'error', interview_id: ID, code: 'script_error', message: 'the script failed' }));
    // The queued answer is not sent as the answer to the refused one's question.
    expect(messagesSent(ws).map((m) => m.message)).toEqual(['Python']);
    expect(box.value).toBe('a draft in progress');
    const refused = screen.getAllByTestId('msg-pending').find((e) => e.dataset.state === 'refused');
    expect(refused.textContent).toMatch(/Python.*Not sent/);
    expect(screen.getAllByTestId('msg-pending').at(-1).textContent).toMatch(/Held until you retry/);
    // An unrelated reply (another tab, a repeat) neither clears the notice nor releases the queue.
    act(() => ws.receive(rsp(3, 'ask', 'Which language do you use most?', { repeat: true })));
    act(() => ws.receive(rsp(4, 'say', 'From another tab')));
    expect(screen.getByTestId('error-notice').dataset.code).toBe('script_error');
    expect(messagesSent(ws)).toHaveLength(1);
    // Retry: the refused answer goes again, first, under the same id; the notice is gone.
    fireEvent.click(within(refused).getByRole('button', { name: 'Retry' }));
    expect(document.activeElement).toBe(box);
    expect(screen.queryByTestId('error-notice')).toBe(null);
    await waitFor(() => expect(messagesSent(ws)).toHaveLength(2));
    expect(messagesSent(ws)[1]).toMatchObject({ message: 'Python', client_msg_id: messagesSent(ws)[0].client_msg_id });
    expect(box.value).toBe('a draft in progress');
  });

  test('Edit changes a refused answer in place and sends it under a new id; the answer box is left alone', async () => {
    const f = mount();
    const ws = await connectedWith(f, Q1);
    const box = screen.getByLabelText('Your answer');
    fireEvent.change(box, { target: { value: 'x'.repeat(50) } });
    fireEvent.keyDown(box, { key: 'Enter' });
    fireEvent.change(box, { target: { value: 'draft' } });
    act(() => ws.receive({ type: 'error', interview_id: ID, code: 'too_large', message: 'message too large' }));
    fireEvent.click(screen.getByRole('button', { name: 'Edit' }));
    const edit = screen.getByLabelText('Edit your answer');
    expect(document.activeElement).toBe(edit);
    fireEvent.change(edit, { target: { value: 'short' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send again' }));
    await waitFor(() => expect(messagesSent(ws)).toHaveLength(2));
    expect(messagesSent(ws)[1].message).toBe('short');
    expect(messagesSent(ws)[1].client_msg_id).not.toBe(messagesSent(ws)[0].client_msg_id);
    expect(box.value).toBe('draft');
  });

  test('focus moves to the end-state heading when the answer box goes away', async () => {
    const f = mount();
    const ws = await connectedWith(f, Q1);
    const box = screen.getByLabelText('Your answer');
    box.focus();
    fireEvent.change(box, { target: { value: 'C' } });
    fireEvent.keyDown(box, { key: 'Enter' });
    act(() => ws.receive(rsp(5, 'end', 'Thanks!', { done: true })));
    expect(document.activeElement).toBe(screen.getByRole('heading', { name: 'Interview complete' }));
    expect(document.activeElement.tabIndex).toBe(-1);
  });

  test('the reconnect backoff starts over only once a connection delivered its history', async () => {
    vi.useFakeTimers();
    const f = mount(); // delays are 500, 1000, 2000 ms … each ±30%: the steps below hold for any jitter
    act(() => { f.last().open(); f.last().drop(); }); // accepted, then dropped before any history
    act(() => { vi.advanceTimersByTime(650); });
    expect(f.sockets).toHaveLength(2);
    act(() => { f.last().open(); f.last().drop(); });
    act(() => { vi.advanceTimersByTime(650); });
    expect(f.sockets).toHaveLength(2); // backing off, not a reconnect every half second
    act(() => { vi.advanceTimersByTime(650); });
    expect(f.sockets).toHaveLength(3);
    act(() => { f.last().open(); f.last().receive(hist(Q1)); f.last().drop(); }); // this one proved itself
    act(() => { vi.advanceTimersByTime(650); });
    expect(f.sockets).toHaveLength(4);
  });

  test("'unavailable' retries back off instead of a fixed 3 s", async () => {
    vi.useFakeTimers();
    const f = mount({ random: () => 0.5 });
    const ws = await connectedWith(f, Q1);
    fireEvent.change(screen.getByLabelText('Your answer'), { target: { value: 'C' } });
    fireEvent.keyDown(screen.getByLabelText('Your answer'), { key: 'Enter' });
    const unavailable = { type: 'error', interview_id: ID, code: 'unavailable', message: 'shutting down' };
    act(() => ws.receive(unavailable));
    act(() => { vi.advanceTimersByTime(500); });
    expect(messagesSent(ws)).toHaveLength(2);
    act(() => ws.receive(unavailable));
    act(() => { vi.advanceTimersByTime(600); });
    expect(messagesSent(ws)).toHaveLength(2);
    act(() => { vi.advanceTimersByTime(400); });
    expect(messagesSent(ws)).toHaveLength(3);
  });

  test('a connection that goes silent after a send is replaced, and the answer resent under the same id', async () => {
    vi.useFakeTimers();
    const f = mount({ random: () => 0.5 });
    const ws = await connectedWith(f, Q1);
    fireEvent.change(screen.getByLabelText('Your answer'), { target: { value: 'C' } });
    fireEvent.keyDown(screen.getByLabelText('Your answer'), { key: 'Enter' });
    act(() => { vi.advanceTimersByTime(9000); });
    expect(f.sockets).toHaveLength(1);
    act(() => { vi.advanceTimersByTime(1000); }); // 10 s without a frame: half-open
    expect(ws.readyState).toBe(3);
    expect(screen.getByTestId('status').dataset.state).toBe('reconnecting');
    act(() => { vi.advanceTimersByTime(500); });
    expect(f.sockets).toHaveLength(2);
    const ws2 = f.last();
    act(() => { ws2.open(); ws2.receive(hist(Q1)); });
    expect(messagesSent(ws2)).toEqual([{ ...messagesSent(ws)[0] }]);
  });

  test('frames keep a slow connection alive: no reconnect while replies trickle in', async () => {
    vi.useFakeTimers();
    const f = mount({ random: () => 0.5 });
    const ws = await connectedWith(f, Q1);
    fireEvent.change(screen.getByLabelText('Your answer'), { target: { value: 'C' } });
    fireEvent.keyDown(screen.getByLabelText('Your answer'), { key: 'Enter' });
    act(() => { vi.advanceTimersByTime(8000); });
    act(() => ws.receive(rsp(5, 'say', 'Thinking…')));
    expect(historyAsked(ws)).toBe(2);
    act(() => { vi.advanceTimersByTime(8000); });
    expect(f.sockets).toHaveLength(1);
  });

  test('a socket that never opens and a 401 from the same URL over HTTP: a definite invalid-link message, no more retries', async () => {
    const fetchImpl = vi.fn(async () => ({ status: 401 }));
    const f = mount({ fetchImpl });
    act(() => f.last().drop());
    await waitFor(() => expect(screen.getByTestId('problem').textContent).toMatch(/This link is not valid — ask your interviewer for a new one/));
    expect(fetchImpl).toHaveBeenCalledWith('http://test/v1?token=tok', expect.anything());
    const n = f.sockets.length;
    await new Promise((r) => setTimeout(r, 1200)); // past the first backoff delays
    expect(f.sockets).toHaveLength(n);
  });

  test('a socket that never opens while the HTTP probe says the link is fine keeps the could-not-connect behaviour', async () => {
    const f = mount();
    act(() => f.last().drop());
    await waitFor(() => expect(f.fetchImpl).toHaveBeenCalled());
    await waitFor(() => expect(f.sockets.length).toBe(2), { timeout: 3000 });
    expect(screen.queryByTestId('problem')).toBe(null);
  });
});
