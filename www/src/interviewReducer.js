// The page's state as a pure reducer, so every rule about frames, seqs and the outbox is unit-tested
// without a socket. useInterview.js owns the socket and turns events into actions.
//
// The transcript is keyed by seq (the server's numbering, candidate messages included). The candidate's
// own messages live in `pending` until a `history` frame lists them under their client_msg_id: reply
// frames never say which message they answer, and with two tabs open on one interview the next reply
// may be the other tab's turn. So a reply that arrives while one of ours is in flight only makes us ask
// for history; nothing is shown as delivered until the server's transcript has it.
// At most one pending message is in flight ('sent') at a time. A refused one ('refused') pauses the
// outbox: what was typed after it stays put until the candidate retries, edits or discards it.

// `history`: the transcript on the current connection, asked for one request at a time:
//   'none'      no connection: nothing to ask on ('closed' comes back here)
//   'wanted'    ask now: the connection just opened, or a frame showed the transcript moved on
//   'requested' asked; its answer is on its way
//   'recheck'   asked, and a frame arrived since that the answer may predate: when it lands, ask again
//               if it does not account for that frame (ours still unconfirmed, or it ends before it)
//   'loaded'    current: the outbox may send
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
  history: 'none', // 'none' | 'wanted' | 'requested' | 'recheck' | 'loaded' (see above)
  frames: 0, // frames received on any connection (the stall watchdog's heartbeat)
  unavailableCount: 0, // consecutive 'unavailable' refusals: the retry backs off like a reconnect
  pending: [], // [{id, text, state:'queued'|'sent'|'refused', afterSeq, attempted, blocked, code?}]
  error: null, // {code, message, forId?}: shown beside the input; forId ties it to a refused answer
  fatal: null, // {code, message}: the interview cannot be used from this page ('invalid_link', 'not_found')
};

// Restores what a previous load of this page kept in sessionStorage.
export function initState(interviewId, saved) {
  const s = { ...initialState, interviewId };
  if (!saved || typeof saved !== 'object') return s;
  const messages = Array.isArray(saved.messages) ? normalize(saved.messages) : [];
  const pending = Array.isArray(saved.pending)
    ? saved.pending
        .filter((p) => p && typeof p.id === 'string' && typeof p.text === 'string')
        .map((p) => ({
          id: p.id, text: p.text, state: p.refused ? 'refused' : 'queued', afterSeq: p.afterSeq || 0, attempted: !!p.attempted, blocked: false,
          ...(p.refused ? { code: String(p.refused) } : {}),
        }))
    : [];
  return { ...s, messages, lastSeq: maxSeq(messages), status: saved.status || null, pending };
}

// What is worth keeping across a reload: the outbox above all, the transcript to show while connecting.
export function persisted(state) {
  return {
    messages: state.messages,
    status: state.status,
    pending: state.pending.map(({ id, text, afterSeq, attempted, state: st, code }) => ({
      id, text, afterSeq, attempted, ...(st === 'refused' ? { refused: code || 'refused' } : {}),
    })),
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

const historyOnItsWay = (s) => s.history === 'requested' || s.history === 'recheck';
const hasSent = (s) => s.pending.some((p) => p.state === 'sent');
const hasRefused = (s) => s.pending.some((p) => p.state === 'refused');

// The next message the hook should send, or null: only after this connection's history, one at a
// time, and never past a refused answer (the outbox is paused until the candidate acts on it).
export function nextToSend(s) {
  if (s.conn !== 'connected' || s.history !== 'loaded' || s.fatal || s.status === 'finished') return null;
  if (hasSent(s) || hasRefused(s)) return null;
  return s.pending.find((p) => p.state === 'queued' && !p.blocked) || null;
}

// Something sent on this connection still waits for its answer: the stall watchdog runs meanwhile.
export function awaitingReply(s) {
  return s.conn === 'connected' && (hasSent(s) || historyOnItsWay(s));
}

// The choices to offer now: the latest message is a question with options and nothing is on its way.
export function currentChoices(s) {
  if (s.status === 'finished' || s.pending.length) return null;
  const last = s.messages[s.messages.length - 1];
  return last && last.role === 'bot' && last.kind === 'ask' && last.choices?.length ? last.choices : null;
}

// Drops pending messages that the transcript shows were already delivered: by client_msg_id (our server
// reports it on every candidate turn). Only for a server that reports no ids at all, one we did try to
// send is matched by the same text after the point it was typed.
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

// A frame showed the transcript moved on (a reply that may be ours, another tab's turn, the end): ask
// for it, or, with a request already out, make sure its answer is not older than that frame.
function historyMovedOn(s) {
  if (historyOnItsWay(s)) return 'recheck';
  return s.history === 'loaded' ? 'wanted' : s.history;
}

function onHistory(s, f) {
  const messages = normalize(Array.isArray(f.messages) ? f.messages : []);
  // 'closed' (by the team) is over for the candidate, as 'finished' is.
  const status = f.status === 'closed' ? 'finished'
    : ['new', 'active', 'finished'].includes(f.status) ? f.status : messages.length ? 'active' : 'new';
  let pending = reconcile(s.pending, messages);
  const delivered = s.pending.some((p) => p.state === 'sent') && !pending.some((p) => p.state === 'sent');
  if (status === 'finished') pending = [];
  // Frames came in after this history was asked for. Ours is still unconfirmed (they may be its reply),
  // or this history stops short of what those frames already showed: ask once more.
  const behind = maxSeq(messages) < s.lastSeq || (s.status === 'finished' && status !== 'finished');
  const again = s.history === 'recheck' && (pending.some((p) => p.state === 'sent') || behind);
  return {
    ...s, messages, lastSeq: maxSeq(messages), status, pending, history: again ? 'wanted' : 'loaded',
    unavailableCount: delivered ? 0 : s.unavailableCount,
    error: delivered && s.error && !s.error.forId ? null : s.error,
  };
}

function onResponse(s, f) {
  // The team closed the interview: done, and no seq (it is no turn of the transcript). It is over, as
  // if an answer had met interview_finished.
  if (!Number.isInteger(f.seq) && f.done === true) return onError(s, { code: 'interview_finished' });
  if (!Number.isInteger(f.seq)) return s; // not our server's frame shape; nothing to order it by
  const finished = f.done === true || f.kind === 'end';
  const status = finished ? 'finished' : s.status === 'finished' ? 'finished' : 'active';
  const bot = { seq: f.seq, role: 'bot', kind: f.kind || 'say', text: String(f.message ?? ''), ...(Array.isArray(f.choices) ? { choices: f.choices } : {}) };
  const known = s.messages.some((m) => m.seq === f.seq);
  let { pending, messages, history } = s;

  // Maybe the reply to ours, maybe another tab's turn: the transcript will say, by client_msg_id.
  // Without one of ours in flight, a seq that skips ahead means someone else (another tab) moved on.
  if (hasSent(s) || (!known && f.seq > s.lastSeq + 1)) history = historyMovedOn(s);
  if (!known) messages = insert(messages, bot);
  // Nothing more will be sent. The answer in flight stays on screen until the history this frame asks
  // for lists it (or, if it was not ours that ended the interview, drops it): it must not blink away.
  if (finished) pending = pending.filter((p) => p.state === 'sent');
  // A fresh reply supersedes a passing notice, never one about an answer the candidate must act on.
  const error = s.error && !s.error.forId && (!known || f.repeat) ? null : s.error;
  return { ...s, messages, lastSeq: maxSeq(messages), pending, history, status, error };
}

function onError(s, f) {
  const error = { code: String(f.code || 'error'), message: String(f.message || 'Something went wrong.') };
  const sentIdx = s.pending.findIndex((p) => p.state === 'sent');
  const sent = sentIdx >= 0 ? s.pending[sentIdx] : null;
  switch (error.code) {
    case 'not_found':
      return { ...s, fatal: error, pending: [] };
    case 'interview_finished':
      return { ...s, status: 'finished', pending: [], history: historyMovedOn(s), error: null };
    case 'unavailable':
      // Nothing was recorded: keep the answer and try again later, backing off (see 'unblock').
      if (!sent) return { ...s, error };
      return {
        ...s, error, unavailableCount: s.unavailableCount + 1,
        pending: s.pending.map((p, i) => (i === sentIdx ? { ...p, state: 'queued', blocked: true } : p)),
      };
    default:
      // The server refused this answer (script error, too large, rate limit…): keep it, marked as not
      // sent, and hold everything after it until the candidate retries, edits or discards it.
      if (!sent) return { ...s, error };
      return {
        ...s, error: { ...error, forId: sent.id },
        pending: s.pending.map((p, i) => (i === sentIdx ? { ...p, state: 'refused', code: error.code } : p)),
      };
  }
}

// The candidate acted on a refused answer: its notice goes with it.
function settle(s, id, pending) {
  return { ...s, pending, error: s.error?.forId === id ? null : s.error };
}

export function reducer(s, a) {
  switch (a.type) {
    case 'connecting':
      return { ...s, conn: s.everConnected ? 'reconnecting' : 'connecting', retryAt: null };
    case 'open':
      return {
        ...s, conn: 'connected', retryAt: null, everConnected: true, failedOpens: 0, history: 'wanted',
        pending: s.pending.map((p) => (p.state === 'refused' ? p : { ...p, state: 'queued', blocked: false })),
      };
    case 'closed':
      return {
        ...s,
        online: a.offline ? false : s.online,
        conn: a.offline ? 'offline' : s.everConnected ? 'reconnecting' : 'connecting',
        retryAt: a.retryAt ?? null,
        failedOpens: a.opened ? 0 : s.failedOpens + 1,
        history: 'none', // an answer to the old socket's request will never come
        pending: s.pending.map((p) => (p.state === 'sent' ? { ...p, state: 'queued' } : p)),
      };
    case 'offline':
      return { ...s, online: false, conn: s.conn === 'connected' ? s.conn : 'offline', retryAt: s.conn === 'connected' ? s.retryAt : null };
    case 'online':
      return { ...s, online: true, conn: s.conn === 'offline' ? (s.everConnected ? 'reconnecting' : 'connecting') : s.conn };
    case 'history_requested':
      return { ...s, history: 'requested' };
    case 'invalid_link':
      return { ...s, fatal: { code: 'invalid_link', message: 'This link is not valid.' }, retryAt: null };
    case 'frame': {
      const f = a.frame;
      s = { ...s, frames: s.frames + 1 }; // any frame at all shows the connection is alive
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
      // A notice about a refused answer stays until the candidate acts on that answer.
      return { ...s, pending: [...s.pending, p], status: s.status === 'new' ? 'active' : s.status, error: s.error?.forId ? s.error : null };
    }
    case 'sent':
      return { ...s, pending: s.pending.map((p) => (p.id === a.id ? { ...p, state: 'sent', attempted: true, afterSeq: Math.max(p.afterSeq, s.lastSeq) } : p)) };
    case 'retry':
      return settle(s, a.id, s.pending.map((p) => (p.id === a.id && p.state === 'refused' ? { ...p, state: 'queued', blocked: false, code: undefined } : p)));
    case 'edit': {
      const text = String(a.text || '');
      if (!text.trim()) return s;
      // New text, new id: the server must not take it for a repeat of the refused one.
      return settle(s, a.id, s.pending.map((p) => (p.id === a.id && p.state === 'refused'
        ? { ...p, id: a.newId || p.id, text, state: 'queued', blocked: false, attempted: false, afterSeq: s.lastSeq, code: undefined } : p)));
    }
    case 'discard':
      return settle(s, a.id, s.pending.filter((p) => !(p.id === a.id && p.state === 'refused')));
    case 'unblock':
      return { ...s, pending: s.pending.map((p) => (p.blocked ? { ...p, blocked: false } : p)) };
    case 'dismiss_error':
      return { ...s, error: null };
    default:
      return s;
  }
}
