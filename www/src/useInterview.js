// The socket side of the page: one WebSocket to /v1 at a time, reconnecting with exponential backoff
// and jitter, asking for history on every open, and sending the outbox one message at a time once that
// history has arrived. All decisions about frames live in interviewReducer.js.
//
// The backoff only starts over once a connection has proved itself (its history frame arrived): a proxy
// that accepts every handshake and drops it must not get two reconnects a second forever. A connection
// that goes silent while we wait for an answer (half-open: no close ever arrives) is abandoned after
// STALL_MS and replaced; resending is safe since every message carries a client_msg_id. A socket that
// never opens makes us ask the same URL over plain HTTP: 401 means the link itself is bad, and then
// retrying is pointless.
import { useCallback, useEffect, useReducer, useRef } from 'react';
import { awaitingReply, initState, nextToSend, persisted, reducer } from './interviewReducer.js';

const BASE_MS = 500;
const CAP_MS = 15000;
const JITTER = 0.3;
export const STALL_MS = 10000;

// Delay before reconnect attempt `n` (0-based): 0.5 s doubling to 15 s, each ±30%.
export function backoffDelay(n, random = Math.random) {
  const base = Math.min(CAP_MS, BASE_MS * 2 ** Math.min(n, 16));
  return Math.round(base * (1 + (random() * 2 - 1) * JITTER));
}

export function newClientMsgId() {
  if (globalThis.crypto?.randomUUID) return globalThis.crypto.randomUUID();
  let s = '';
  for (let i = 0; i < 4; i++) s += Math.random().toString(36).slice(2, 10);
  return `m-${Date.now().toString(36)}-${s}`;
}

export function socketUrl(token, loc = window.location) {
  const proto = loc.protocol === 'https:' ? 'wss' : 'ws';
  return `${proto}://${loc.host}/v1?token=${encodeURIComponent(token)}`;
}

// The same endpoint over plain HTTP: without an upgrade the server answers 401 for a bad token.
export function probeUrl(wsUrl) {
  return wsUrl.replace(/^ws(s?):/i, 'http$1:');
}

const storageKey = (id) => `interviewd:${id}`;
const draftKey = (id) => `interviewd:${id}:draft`;

function load(storage, id) {
  try { return JSON.parse(storage?.getItem(storageKey(id)) || 'null'); } catch { return null; }
}

function isOnline() {
  return typeof navigator === 'undefined' || navigator.onLine !== false;
}

// What the status bar shows: offline whenever the browser says so, else the socket's state.
export function shownConnection(state) {
  return state.online ? state.conn : 'offline';
}

export function useInterview({ interviewId, token, url, WebSocketImpl, storage, random = Math.random, fetchImpl, stallMs = STALL_MS }) {
  const store = storage === undefined ? safeSessionStorage() : storage;
  const [state, dispatch] = useReducer(reducer, undefined, () => initState(interviewId, load(store, interviewId)));
  const sock = useRef(null);
  const connectNow = useRef(() => {});
  const abandon = useRef(() => {});

  // Connection lifecycle. Everything is torn down on unmount (and on StrictMode's rehearsal).
  useEffect(() => {
    const WS = WebSocketImpl || globalThis.WebSocket;
    const probe = fetchImpl || globalThis.fetch;
    const target = url || socketUrl(token);
    let attempt = 0;
    let timer = null;
    let stopped = false;
    let invalid = false;
    let ws = null;

    const schedule = () => {
      clearTimeout(timer);
      if (!isOnline()) { dispatch({ type: 'closed', opened: false, offline: true }); return false; }
      const delay = backoffDelay(attempt++, random);
      timer = setTimeout(connect, delay);
      return Date.now() + delay;
    };

    // After a socket that never opened: is it the link? Only a definite 401 stops the retries.
    const checkLink = () => {
      if (typeof probe !== 'function') return;
      Promise.resolve()
        .then(() => probe(probeUrl(target), { cache: 'no-store', credentials: 'omit' }))
        .then((r) => {
          if (stopped || invalid || r?.status !== 401) return;
          invalid = true;
          clearTimeout(timer);
          if (ws) { const old = ws; ws = null; sock.current = null; detach(old); }
          dispatch({ type: 'invalid_link' });
        })
        .catch(() => { /* unreachable: keep retrying as before */ });
    };

    const detach = (old) => {
      old.onopen = old.onmessage = old.onclose = old.onerror = null;
      try { old.close(); } catch { /* closing */ }
    };

    function connect() {
      clearTimeout(timer);
      if (stopped || invalid) return;
      if (ws && ws.readyState <= 1) return; // CONNECTING or OPEN already
      dispatch({ type: 'connecting' });
      let opened = false;
      const me = new WS(target);
      ws = me;
      sock.current = me;
      me.onopen = () => {
        if (stopped || ws !== me) return;
        opened = true;
        dispatch({ type: 'open' });
      };
      me.onmessage = (ev) => {
        if (stopped || ws !== me) return;
        let frame;
        try { frame = JSON.parse(ev.data); } catch { frame = null; }
        if (frame?.type === 'history') attempt = 0; // this connection works end to end
        dispatch({ type: 'frame', frame });
      };
      me.onerror = () => { /* onclose follows and carries the decision */ };
      me.onclose = () => {
        if (stopped || ws !== me) return;
        ws = null;
        sock.current = null;
        const retryAt = schedule();
        if (retryAt) dispatch({ type: 'closed', opened, retryAt });
        if (!opened) checkLink();
      };
    }

    // The stall watchdog gave up on this socket: drop it without waiting for a close that may never come.
    abandon.current = () => {
      if (stopped || !ws) return;
      const old = ws;
      ws = null;
      sock.current = null;
      detach(old);
      const retryAt = schedule();
      if (retryAt) dispatch({ type: 'closed', opened: true, retryAt });
    };
    connectNow.current = () => { attempt = 0; connect(); };
    const onOnline = () => { dispatch({ type: 'online' }); attempt = 0; connect(); };
    const onOffline = () => dispatch({ type: 'offline' });
    window.addEventListener('online', onOnline);
    window.addEventListener('offline', onOffline);
    if (isOnline()) connect(); else dispatch({ type: 'closed', opened: false, offline: true });

    return () => {
      stopped = true;
      clearTimeout(timer);
      window.removeEventListener('online', onOnline);
      window.removeEventListener('offline', onOffline);
      if (ws) detach(ws);
      sock.current = null;
    };
  }, [interviewId, token, url, WebSocketImpl, random, fetchImpl]);

  // Asks for history whenever the reducer wants it: every open, a reply while ours is in flight, a seq gap.
  useEffect(() => {
    const ws = sock.current;
    if (state.conn !== 'connected' || state.history !== 'wanted' || !ws || ws.readyState !== 1) return;
    ws.send(JSON.stringify({ action: 'history', interview_id: interviewId }));
    dispatch({ type: 'history_requested' });
  }, [state.conn, state.history, interviewId]);

  // Sends the outbox, one message in flight at a time.
  const next = nextToSend(state);
  useEffect(() => {
    const ws = sock.current;
    if (!next || !ws || ws.readyState !== 1) return;
    ws.send(JSON.stringify({ action: 'message', message: next.text, interview_id: interviewId, client_msg_id: next.id }));
    dispatch({ type: 'sent', id: next.id });
  }, [next, interviewId]);

  // Half-open connections: while an answer (or history) is awaited, every frame restarts the clock;
  // silence for stallMs means nothing is coming, so the socket is replaced.
  const awaiting = awaitingReply(state);
  useEffect(() => {
    if (!awaiting) return undefined;
    const t = setTimeout(() => abandon.current(), stallMs);
    return () => clearTimeout(t);
  }, [awaiting, state.frames, stallMs]);

  // 'unavailable' holds an answer back instead of hammering a server that is shutting down, backing off
  // like a reconnect: 0.5 s, 1 s, 2 s … up to 15 s, with jitter.
  const blocked = state.pending.some((p) => p.blocked);
  const unavailable = state.unavailableCount;
  useEffect(() => {
    if (!blocked) return undefined;
    const t = setTimeout(() => dispatch({ type: 'unblock' }), backoffDelay(Math.max(0, unavailable - 1), random));
    return () => clearTimeout(t);
  }, [blocked, unavailable, random]);

  // Keeps the outbox and transcript across reloads of this tab.
  const { messages, status, pending } = state;
  useEffect(() => {
    try { store?.setItem(storageKey(interviewId), JSON.stringify(persisted({ messages, status, pending }))); } catch { /* full or disabled */ }
  }, [store, interviewId, messages, status, pending]);

  // What is typed but not sent survives a reload of this tab too; a finished interview leaves none behind.
  const loadDraft = useCallback(() => {
    try { return store?.getItem(draftKey(interviewId)) || ''; } catch { return ''; }
  }, [store, interviewId]);
  const saveDraft = useCallback((text) => {
    try {
      if (text) store?.setItem(draftKey(interviewId), text);
      else store?.removeItem(draftKey(interviewId));
    } catch { /* full or disabled */ }
  }, [store, interviewId]);
  useEffect(() => { if (state.status === 'finished') saveDraft(''); }, [state.status, saveDraft]);

  const submit = useCallback((text) => {
    if (!String(text || '').trim()) return;
    dispatch({ type: 'submit', text, id: newClientMsgId() });
  }, []);
  const dismissError = useCallback(() => dispatch({ type: 'dismiss_error' }), []);
  const retryNow = useCallback(() => connectNow.current(), []);
  const retry = useCallback((id) => dispatch({ type: 'retry', id }), []);
  const edit = useCallback((id, text) => dispatch({ type: 'edit', id, text, newId: newClientMsgId() }), []);
  const discard = useCallback((id) => dispatch({ type: 'discard', id }), []);

  return { state, submit, dismissError, retryNow, retry, edit, discard, loadDraft, saveDraft };
}

function safeSessionStorage() {
  try { return window.sessionStorage; } catch { return null; }
}
