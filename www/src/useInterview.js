// The socket side of the page: one WebSocket to /v1 at a time, reconnecting with exponential backoff
// and jitter, asking for history on every open, and sending the outbox one message at a time once that
// history has arrived. All decisions about frames live in interviewReducer.js.
import { useCallback, useEffect, useReducer, useRef } from 'react';
import { initState, nextToSend, persisted, reducer } from './interviewReducer.js';

const BASE_MS = 500;
const CAP_MS = 15000;
const JITTER = 0.3;
const UNBLOCK_MS = 3000;

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

const storageKey = (id) => `interviewd:${id}`;

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

export function useInterview({ interviewId, token, url, WebSocketImpl, storage, random = Math.random }) {
  const store = storage === undefined ? safeSessionStorage() : storage;
  const [state, dispatch] = useReducer(reducer, undefined, () => initState(interviewId, load(store, interviewId)));
  const sock = useRef(null);
  const connectNow = useRef(() => {});

  // Connection lifecycle. Everything is torn down on unmount (and on StrictMode's rehearsal).
  useEffect(() => {
    const WS = WebSocketImpl || globalThis.WebSocket;
    const target = url || socketUrl(token);
    let attempt = 0;
    let timer = null;
    let stopped = false;
    let ws = null;

    const schedule = () => {
      clearTimeout(timer);
      if (!isOnline()) { dispatch({ type: 'closed', opened: false, offline: true }); return false; }
      const delay = backoffDelay(attempt++, random);
      timer = setTimeout(connect, delay);
      return Date.now() + delay;
    };

    function connect() {
      clearTimeout(timer);
      if (stopped) return;
      if (ws && ws.readyState <= 1) return; // CONNECTING or OPEN already
      dispatch({ type: 'connecting' });
      let opened = false;
      const me = new WS(target);
      ws = me;
      sock.current = me;
      me.onopen = () => {
        if (stopped || ws !== me) return;
        opened = true;
        attempt = 0;
        dispatch({ type: 'open' });
      };
      me.onmessage = (ev) => {
        if (stopped || ws !== me) return;
        let frame;
        try { frame = JSON.parse(ev.data); } catch { return; }
        dispatch({ type: 'frame', frame });
      };
      me.onerror = () => { /* onclose follows and carries the decision */ };
      me.onclose = () => {
        if (stopped || ws !== me) return;
        ws = null;
        sock.current = null;
        const retryAt = schedule();
        if (retryAt) dispatch({ type: 'closed', opened, retryAt });
      };
    }

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
      if (ws) { ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null; try { ws.close(); } catch { /* closing */ } }
      sock.current = null;
    };
  }, [interviewId, token, url, WebSocketImpl, random]);

  // Requests history whenever the reducer asks for it (every open, and on a seq gap).
  useEffect(() => {
    const ws = sock.current;
    if (state.conn !== 'connected' || !state.needHistory || !ws || ws.readyState !== 1) return;
    ws.send(JSON.stringify({ action: 'history', interview_id: interviewId }));
    dispatch({ type: 'history_requested' });
  }, [state.conn, state.needHistory, interviewId]);

  // Sends the outbox, one message in flight at a time.
  const next = nextToSend(state);
  useEffect(() => {
    const ws = sock.current;
    if (!next || !ws || ws.readyState !== 1) return;
    ws.send(JSON.stringify({ action: 'message', message: next.text, interview_id: interviewId, client_msg_id: next.id }));
    dispatch({ type: 'sent', id: next.id });
  }, [next, interviewId]);

  // 'unavailable' holds an answer back briefly instead of hammering a server that is shutting down.
  const blocked = state.pending.some((p) => p.blocked);
  useEffect(() => {
    if (!blocked) return undefined;
    const t = setTimeout(() => dispatch({ type: 'unblock' }), UNBLOCK_MS);
    return () => clearTimeout(t);
  }, [blocked]);

  // Keeps the outbox and transcript across reloads of this tab.
  useEffect(() => {
    try { store?.setItem(storageKey(interviewId), JSON.stringify(persisted(state))); } catch { /* full or disabled */ }
  }, [store, interviewId, state.messages, state.status, state.pending]);

  const submit = useCallback((text) => {
    if (!String(text || '').trim()) return;
    dispatch({ type: 'submit', text, id: newClientMsgId() });
  }, []);
  const dismissError = useCallback(() => dispatch({ type: 'dismiss_error' }), []);
  const retryNow = useCallback(() => connectNow.current(), []);

  return { state, submit, dismissError, retryNow };
}

function safeSessionStorage() {
  try { return window.sessionStorage; } catch { return null; }
}
