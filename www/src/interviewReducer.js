// The page's state as a pure reducer, so every rule about frames, seqs and the outbox is unit-tested
// without a socket. useInterview.js owns the socket and turns events into actions.
//
// The transcript is keyed by seq (the server's numbering, candidate messages included). The candidate's
// own messages live in `pending` until the server has numbered them: we never learn a candidate
// message's seq directly, only that the first reply to it is seq N and the message was therefore N-1.
// At most one pending message is in flight ('sent') at a time, which keeps that inference exact.

export const initialState = {
  interviewId: '',
  messages: [], // [{seq, role:'bot'|'candidate', kind, text, choices?, section?, ts?}] sorted by seq
  lastSeq: 0,
  status: null, // null until the first history: 'new' | 'active' | 'finished'
  conn: 'connecting', // 'connecting' | 'connected' | 'reconnecting' | 'offline'
  online: true, // navigator.onLine: shown as offline even while a socket lingers
  retryAt: null, // ms timestamp of the next reconnect attempt
  everConnected: false,
  failedOpens: 0, // consecutive sockets that closed before opening
  historyLoaded: false, // on the current connection
  needHistory: false,
  pending: [], // [{id, text, state:'queued'|'sent', afterSeq, attempted, blocked}]
  error: null, // {code, message}: shown beside the input
  fatal: null, // {code, message}: the interview cannot be used from this page
  restored: null, // {text, nonce}: an answer the server refused, handed back to the composer
};

// Restores what a previous load of this page kept in sessionStorage.
export function initState(interviewId, saved) {
  const s = { ...initialState, interviewId };
  if (!saved || typeof saved !== 'object') return s;
  const messages = Array.isArray(saved.messages) ? normalize(saved.messages) : [];
  const pending = Array.isArray(saved.pending)
    ? saved.pending
        .filter((p) => p && typeof p.id === 'string' && typeof p.text === 'string')
        .map((p) => ({ id: p.id, text: p.text, state: 'queued', afterSeq: p.afterSeq || 0, attempted: !!p.attempted, blocked: false }))
    : [];
  return { ...s, messages, lastSeq: maxSeq(messages), status: saved.status || null, pending };
}

// What is worth keeping across a reload: the outbox above all, the transcript to show while connecting.
export function persisted(state) {
  return {
    messages: state.messages,
    status: state.status,
    pending: state.pending.map(({ id, text, afterSeq, attempted }) => ({ id, text, afterSeq, attempted })),
  };
}

function normalize(list) {
  const bySeq = new Map();
  for (const m of list) {
    if (!m || !Number.isInteger(m.seq) || m.seq < 1) continue;
    bySeq.set(m.seq, {
      seq: m.seq,
      role: m.role === 'candidate' ? 'candidate' : 'bot',
      kind: m.kind || (m.role === 'candidate' ? 'message' : 'say'),
      text: typeof m.text === 'string' ? m.text : String(m.text ?? ''),
      ...(Array.isArray(m.choices) ? { choices: m.choices.map(String) } : {}),
      ...(m.section ? { section: m.section } : {}),
      ...(m.ts ? { ts: m.ts } : {}),
      ...(m.client_msg_id ? { client_msg_id: m.client_msg_id } : {}),
    });
  }
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

function maxSeq(messages) {
  return messages.length ? messages[messages.length - 1].seq : 0;
}

function insert(messages, m) {
  return normalize([...messages, m]);
}

const hasSent = (s) => s.pending.some((p) => p.state === 'sent');

// The next message the hook should send, or null: only after this connection's history, one at a time.
export function nextToSend(s) {
  if (s.conn !== 'connected' || !s.historyLoaded || s.needHistory || s.fatal || s.status === 'finished') return null;
  if (hasSent(s)) return null;
  return s.pending.find((p) => p.state === 'queued' && !p.blocked) || null;
}

// The choices to offer now: the latest message is a question with options and nothing is on its way.
export function currentChoices(s) {
  if (s.status === 'finished' || s.pending.length) return null;
  const last = s.messages[s.messages.length - 1];
  return last && last.role === 'bot' && last.kind === 'ask' && last.choices?.length ? last.choices : null;
}

// Drops pending messages that the transcript shows were already delivered: by client_msg_id when the
// server reports it, else (for one we did try to send) by the same text after the point it was typed.
function reconcile(pending, messages) {
  const ids = new Set(messages.map((m) => m.client_msg_id).filter(Boolean));
  const used = new Set();
  return pending.filter((p) => {
    if (ids.has(p.id)) return false;
    if (!p.attempted || ids.size) return true;
    const hit = messages.find((m) => m.role === 'candidate' && m.seq > p.afterSeq && m.text === p.text && !used.has(m.seq));
    if (hit) { used.add(hit.seq); return false; }
    return true;
  });
}

function onHistory(s, f) {
  const messages = normalize(Array.isArray(f.messages) ? f.messages : []);
  const status = ['new', 'active', 'finished'].includes(f.status) ? f.status : messages.length ? 'active' : 'new';
  let pending = reconcile(s.pending, messages);
  if (status === 'finished') pending = [];
  return { ...s, messages, lastSeq: maxSeq(messages), status, pending, historyLoaded: true, needHistory: false };
}

function onResponse(s, f) {
  if (!Number.isInteger(f.seq)) return s; // not our server's frame shape; nothing to order it by
  const finished = f.done === true || f.kind === 'end';
  const status = finished ? 'finished' : s.status === 'finished' ? 'finished' : 'active';
  const bot = { seq: f.seq, role: 'bot', kind: f.kind || 'say', text: String(f.message ?? ''), ...(Array.isArray(f.choices) ? { choices: f.choices } : {}) };
  const known = s.messages.some((m) => m.seq === f.seq);
  let { pending, messages, needHistory } = s;
  const sentIdx = pending.findIndex((p) => p.state === 'sent');

  if (f.repeat === true) {
    // The server already had this answer: the replayed replies confirm it; the transcript has it.
    if (sentIdx >= 0) pending = pending.filter((_, i) => i !== sentIdx);
    if (!known) { messages = insert(messages, bot); needHistory = needHistory || f.seq > s.lastSeq + 1; }
  } else if (!known) {
    if (sentIdx >= 0 && f.seq === s.lastSeq + 2) {
      const p = pending[sentIdx];
      messages = insert(messages, { seq: s.lastSeq + 1, role: 'candidate', kind: 'message', text: p.text, client_msg_id: p.id });
      pending = pending.filter((_, i) => i !== sentIdx);
    } else if (f.seq > s.lastSeq + 1) {
      needHistory = true; // someone else (another tab) moved the interview on
    }
    messages = insert(messages, bot);
  }
  if (finished) pending = [];
  const error = known && !f.repeat ? s.error : null;
  return { ...s, messages, lastSeq: maxSeq(messages), pending, needHistory, status, error };
}

function onError(s, f) {
  const error = { code: String(f.code || 'error'), message: String(f.message || 'Something went wrong.') };
  const sentIdx = s.pending.findIndex((p) => p.state === 'sent');
  const sent = sentIdx >= 0 ? s.pending[sentIdx] : null;
  const without = s.pending.filter((_, i) => i !== sentIdx);
  switch (error.code) {
    case 'not_found':
      return { ...s, fatal: error, pending: [] };
    case 'interview_finished':
      return { ...s, status: 'finished', pending: [], needHistory: true, error: null };
    case 'unavailable':
      // Nothing was recorded: keep the answer and try again a little later (see 'unblock').
      return { ...s, error, pending: s.pending.map((p, i) => (i === sentIdx ? { ...p, state: 'queued', blocked: true } : p)) };
    default:
      // The server refused this answer (script error, too large, rate limit…): hand it back to the
      // candidate instead of dropping it or retrying it forever.
      if (!sent) return { ...s, error };
      return { ...s, error, pending: without, restored: { text: sent.text, nonce: (s.restored?.nonce || 0) + 1 } };
  }
}

export function reducer(s, a) {
  switch (a.type) {
    case 'connecting':
      return { ...s, conn: s.everConnected ? 'reconnecting' : 'connecting', retryAt: null };
    case 'open':
      return {
        ...s, conn: 'connected', retryAt: null, everConnected: true, failedOpens: 0, historyLoaded: false, needHistory: true,
        pending: s.pending.map((p) => ({ ...p, state: 'queued', blocked: false })),
      };
    case 'closed':
      return {
        ...s,
        online: a.offline ? false : s.online,
        conn: a.offline ? 'offline' : s.everConnected ? 'reconnecting' : 'connecting',
        retryAt: a.retryAt ?? null,
        failedOpens: a.opened ? 0 : s.failedOpens + 1,
        historyLoaded: false,
        needHistory: false,
        pending: s.pending.map((p) => (p.state === 'sent' ? { ...p, state: 'queued' } : p)),
      };
    case 'offline':
      return { ...s, online: false, conn: s.conn === 'connected' ? s.conn : 'offline', retryAt: s.conn === 'connected' ? s.retryAt : null };
    case 'online':
      return { ...s, online: true, conn: s.conn === 'offline' ? (s.everConnected ? 'reconnecting' : 'connecting') : s.conn };
    case 'history_requested':
      return { ...s, needHistory: false };
    case 'frame': {
      const f = a.frame;
      if (!f || typeof f !== 'object') return s;
      if (f.interview_id && f.interview_id !== s.interviewId) return s;
      if (f.type === 'history') return onHistory(s, f);
      if (f.type === 'response') return onResponse(s, f);
      if (f.type === 'error') return onError(s, f);
      return s;
    }
    case 'submit': {
      const text = String(a.text || '');
      if (!text.trim() || s.status === 'finished' || s.fatal) return s;
      const p = { id: a.id, text, state: 'queued', afterSeq: s.lastSeq, attempted: false, blocked: false };
      return { ...s, pending: [...s.pending, p], status: s.status === 'new' ? 'active' : s.status, error: null };
    }
    case 'sent':
      return { ...s, pending: s.pending.map((p) => (p.id === a.id ? { ...p, state: 'sent', attempted: true, afterSeq: Math.max(p.afterSeq, s.lastSeq) } : p)) };
    case 'unblock':
      return { ...s, pending: s.pending.map((p) => (p.blocked ? { ...p, blocked: false } : p)) };
    case 'dismiss_error':
      return { ...s, error: null };
    default:
      return s;
  }
}
