// Mounts the whole console at a hash route against the mock API and a fake watch socket, with a small
// team's data: two interviews, a script that compiles and one that does not.
import { vi } from 'vitest';
import { configure, render } from '@testing-library/react';
import Console from '../Console.jsx';
import { fakeSocketFactory } from '../../testing/FakeWebSocket.js';
import { apiError, mockServer } from './mockServer.js';

// Role queries over the whole console are slow in jsdom on a busy machine (the suite runs files in
// parallel on two cores): give waits, and the tests around them, room.
configure({ asyncUtilTimeout: 5000 });
vi.setConfig({ testTimeout: 20000 });

export const NOW = Date.now();
export const ADMIN = { name: 'alice', role: 'admin' };
export const INTERVIEWER = { name: 'ivan', role: 'interviewer' };

export const SCRIPTS = [
  { name: 'demo', hash: 'ab'.repeat(32), ok: true, error: null },
  { name: 'broken', hash: null, ok: false, error: 'scripts/broken.lua:3: unexpected symbol near ")"' },
];

export const ITEMS = [
  { id: 'iv2', script: 'demo', candidate: 'Grace Hopper', status: 'active', created: NOW - 600000, updated: NOW - 120000,
    messages: 5, scores: {}, tags: [] },
  { id: 'iv1', script: 'demo', candidate: 'Ada Lovelace', status: 'finished', created: NOW - 7200000, updated: NOW - 3600000,
    messages: 12, scores: { fit: 4.5, total: 12 }, tags: ['senior'] },
];

export const DETAIL = {
  ...ITEMS[1],
  script_hash: 'ab'.repeat(32),
  next_seq: 5,
  answers: { language: 'C', years: '12' },
  notes: ['Strong systems background'],
  last_error: 'scripts/demo.lua:40: attempt to index a nil value',
  last_traceback: 'stack traceback:\n\tscripts/demo.lua:40: in function <scripts/demo.lua:38>',
  transcript: [
    { seq: 1, role: 'bot', kind: 'say', text: 'Hi Ada, welcome!', ts: NOW - 7000000, section: 'Introduction' },
    { seq: 2, role: 'candidate', kind: 'message', text: 'Hello', ts: NOW - 6990000 },
    { seq: 3, role: 'bot', kind: 'ask', text: 'Which language do you use most?', ts: NOW - 6980000, section: 'Experience', choices: ['C', 'Python'] },
    { seq: 4, role: 'candidate', kind: 'message', text: 'C', ts: NOW - 6970000 },
  ],
};

// The list endpoint filters like the server: status, script, q (candidate, any case).
function listInterviews(items) {
  return ({ query }) => {
    const q = (query.q || '').toLowerCase();
    const interviews = items.filter((it) => (!query.status || it.status === query.status)
      && (!query.script || it.script === query.script) && it.candidate.toLowerCase().includes(q));
    return { interviews, next_cursor: null };
  };
}

export function defaultRoutes(me = ADMIN) {
  return {
    'GET /api/v1/me': me ? me : apiError(401, 'unauthorized', 'sign in first'),
    'GET /api/v1/scripts': SCRIPTS,
    'GET /api/v1/interviews': listInterviews(ITEMS),
    'GET /api/v1/interviews/iv1': DETAIL,
    'GET /api/v1/stats': ({ query }) => ({ script: query.script, started: 3, finished: 5, closed: 1, new: 2,
      dropoff: [{ question: 'years', count: 1 }, { question: 'language', count: 2 }] }),
  };
}

export function mountConsole({ hash = '#/', me = ADMIN, routes = {}, clipboard } = {}) {
  window.history.replaceState(null, '', `/console/${hash}`);
  const server = mockServer({ ...defaultRoutes(me), ...routes });
  const sockets = fakeSocketFactory();
  const view = render(<Console fetchImpl={server.fetchImpl} WebSocketImpl={sockets.FakeWebSocket} clipboard={clipboard} />);
  return { server, sockets, view };
}
