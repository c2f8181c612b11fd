// The watch WebSocket (/v1/watch), read-only: frames go to onFrame; a dropped socket is reopened after
// 1, 2, 4 … 30 seconds. Pages never depend on it: each keeps a Refresh button for when it is down.
import { useEffect, useRef, useState } from 'react';

const MAX_DELAY_MS = 30000;

// The same host as the page, ws: or wss: to match; the browser adds the cookie and the Origin.
export function watchUrl(params, loc = window.location) {
  const proto = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${loc.host}/v1/watch?${new URLSearchParams(params).toString()}`;
}

export function backoffMs(attempt) {
  return Math.min(MAX_DELAY_MS, 1000 * 2 ** Math.max(0, attempt - 1));
}

// key: what to watch (null: nothing); a new key means a new socket. getUrl is asked at each (re)connect,
// so a page can resume from where it is (from=SEQ). onReopen runs when a socket opens after a drop:
// frames may have been missed, so the page reloads what it shows.
// Returns { state: 'connecting'|'live'|'retrying'|'unavailable', retryAt, retryNow }.
export function useWatch({ key, getUrl, onFrame, onReopen, WebSocketImpl }) {
  const Impl = WebSocketImpl || (typeof WebSocket === 'function' ? WebSocket : null);
  const handlers = useRef({ getUrl, onFrame, onReopen });
  useEffect(() => { handlers.current = { getUrl, onFrame, onReopen }; });
  const [conn, setConn] = useState({ key: null, state: 'connecting', retryAt: null });
  const kick = useRef(null);

  useEffect(() => {
    if (key == null || !Impl) return undefined;
    let ws = null;
    let timer = null;
    let attempt = 0;
    let everOpened = false;
    let stopped = false;

    const retry = () => {
      ws = null;
      attempt += 1;
      const delay = backoffMs(attempt);
      setConn({ key, state: 'retrying', retryAt: Date.now() + delay });
      timer = setTimeout(connect, delay);
    };
    function connect() {
      timer = null;
      try {
        ws = new Impl(handlers.current.getUrl());
      } catch {
        retry();
        return;
      }
      ws.onopen = () => {
        if (stopped) return;
        attempt = 0;
        setConn({ key, state: 'live', retryAt: null });
        if (everOpened) handlers.current.onReopen?.();
        everOpened = true;
      };
      ws.onmessage = (e) => {
        if (stopped) return;
        let frame;
        try { frame = JSON.parse(e.data); } catch { return; }
        if (frame && typeof frame === 'object') handlers.current.onFrame?.(frame);
      };
      ws.onclose = () => { if (!stopped) retry(); };
    }
    kick.current = () => {
      if (stopped || ws) return;
      clearTimeout(timer);
      setConn({ key, state: 'connecting', retryAt: null });
      connect();
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(timer);
      if (ws) {
        ws.onclose = null;
        ws.close();
      }
      kick.current = null;
    };
  }, [key, Impl]);

  let state = conn.key === key ? conn.state : 'connecting';
  if (!Impl) state = 'unavailable';
  const [retryNow] = useState(() => () => kick.current?.());
  return { state, retryAt: conn.key === key ? conn.retryAt : null, retryNow };
}
