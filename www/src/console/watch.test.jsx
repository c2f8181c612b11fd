// The watch socket's reconnect schedule and the API layer's edges (Retry-After, error shapes), apart
// from any page.
import { afterEach, describe, expect, test, vi } from 'vitest';
import { act, render, screen } from '@testing-library/react';
import { backoffMs, useWatch, watchUrl } from './watch.js';
import { ApiError, createApi, formatWait, parseRetryAfter } from './api.js';
import { fakeSocketFactory } from '../testing/FakeWebSocket.js';
import { apiError, mockServer, reply } from './testing/mockServer.js';

afterEach(() => { vi.useRealTimers(); });

function Probe({ WebSocketImpl, onFrame }) {
  const w = useWatch({ key: 'k', getUrl: () => watchUrl({ all: '1' }), onFrame, WebSocketImpl });
  return <p data-testid="state">{w.state}</p>;
}

describe('watch socket', () => {
  test('reconnects after 1, 2, 4 … seconds, capped at 30, and starts over after a good connection', () => {
    vi.useFakeTimers();
    const f = fakeSocketFactory();
    const frames = [];
    render(<Probe WebSocketImpl={f.FakeWebSocket} onFrame={(x) => frames.push(x)} />);
    expect(f.sockets).toHaveLength(1);
    act(() => f.last().drop());
    expect(screen.getByTestId('state').textContent).toBe('retrying');
    act(() => vi.advanceTimersByTime(999));
    expect(f.sockets).toHaveLength(1);
    act(() => vi.advanceTimersByTime(1));
    expect(f.sockets).toHaveLength(2);
    act(() => f.last().drop());
    act(() => vi.advanceTimersByTime(1999));
    expect(f.sockets).toHaveLength(2);
    act(() => vi.advanceTimersByTime(1));
    expect(f.sockets).toHaveLength(3);
    act(() => f.last().open());
    expect(screen.getByTestId('state').textContent).toBe('live');
    act(() => f.last().receive({ type: 'status', interview_id: 'a' }));
    act(() => f.last().onmessage({ data: 'not json' }));
    expect(frames).toEqual([{ type: 'status', interview_id: 'a' }]);
    act(() => f.last().drop());
    act(() => vi.advanceTimersByTime(1000));
    expect(f.sockets).toHaveLength(4);
    expect([1, 2, 3, 5, 6, 7, 20].map(backoffMs)).toEqual([1000, 2000, 4000, 16000, 30000, 30000, 30000]);
  });

  test('a browser without WebSocket says live updates are unavailable', () => {
    const saved = globalThis.WebSocket;
    globalThis.WebSocket = undefined;
    try {
      render(<Probe />);
      expect(screen.getByTestId('state').textContent).toBe('unavailable');
    } finally {
      globalThis.WebSocket = saved;
    }
  });

  test('the socket URL follows the page: wss on https', () => {
    expect(watchUrl({ interview: 'a b', from: '3' }, { protocol: 'https:', host: 'hire.example' }))
      .toBe('wss://hire.example/v1/watch?interview=a+b&from=3');
  });
});

describe('api', () => {
  test('errors carry the contract code and message; 429 carries the wait', async () => {
    const server = mockServer({
      'GET /api/v1/users': apiError(403, 'forbidden', 'admins only'),
      'POST /api/v1/session': apiError(429, 'rate_limited', 'slow down', { 'Retry-After': '30' }),
      'GET /api/v1/scripts': reply(500, '<html>oops</html>'),
    });
    const api = createApi(server.fetchImpl);
    await expect(api.users()).rejects.toMatchObject({ status: 403, code: 'forbidden', message: 'admins only' });
    await expect(api.signIn('a', 'b')).rejects.toMatchObject({ status: 429, retryAfter: 30 });
    await expect(api.scripts()).rejects.toMatchObject({ status: 500, code: 'http_500' });
    const failing = createApi(async () => { throw new TypeError('Failed to fetch'); });
    await expect(failing.me()).rejects.toBeInstanceOf(ApiError);
  });

  test('every request is same-origin; changes send JSON; names are encoded into paths', async () => {
    const server = mockServer({ 'DELETE /api/v1/users/a%40b': reply(204), 'POST /api/v1/interviews/x%2Fy/close': {} });
    const api = createApi(server.fetchImpl);
    await api.removeUser('a@b');
    await api.closeInterview('x/y');
    expect(server.calls.map((c) => c.init.credentials)).toEqual(['same-origin', 'same-origin']);
    expect(server.calls[1].init.headers['Content-Type']).toBe('application/json');
    expect(server.calls[1].body).toEqual({});
  });

  test('Retry-After in seconds or as a date, and the wait in words', () => {
    expect(parseRetryAfter('90')).toBe(90);
    expect(parseRetryAfter(new Date(1_000_000 + 61_000).toUTCString(), 1_000_000)).toBe(61);
    expect(parseRetryAfter('soon')).toBe(null);
    expect([1, 45, 60, 61, 900, 3601].map(formatWait)).toEqual(['1 second', '45 seconds', '1 minute', '2 minutes', '15 minutes', '2 hours']);
  });
});
