// The whole page against a fake socket: the frames it sends and what the candidate sees.
import { describe, expect, test } from 'vitest';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import App, { START_MESSAGE } from './App.jsx';
import { fakeSocketFactory } from './testing/FakeWebSocket.js';

const ID = 'iv1';
const SEARCH = `?interview=${ID}&token=tok`;

function mount() {
  const f = fakeSocketFactory();
  render(<App search={SEARCH} url="ws://test/v1?token=tok" WebSocketImpl={f.FakeWebSocket} />);
  return f;
}

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
    fireEvent.click(screen.getByRole('button', { name: /Start the interview/ }));
    const sent = ws.sent[1];
    expect(sent).toMatchObject({ action: 'message', interview_id: ID, message: START_MESSAGE });
    expect(typeof sent.client_msg_id).toBe('string');
    expect(screen.getByTestId('msg-pending').textContent).toContain(START_MESSAGE);
    act(() => { ws.receive(rsp(2, 'say', 'Hi Ada!')); ws.receive(rsp(3, 'ask', 'Which language?', { choices: ['C', 'Python'] })); });
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
    expect(ws2.sent.filter((m) => m.action === 'message')).toHaveLength(1);
    expect(screen.getAllByTestId('msg-candidate').map((e) => e.textContent)).toEqual(['You: Hello', 'You: JavaScript']);
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
});
