// Small pieces the console pages share: the page heading that takes focus on navigation, modal dialogs
// that trap and return focus, a copyable link or secret, error text, status badges, relative times and
// the live-updates indicator.
import { useEffect, useId, useRef, useState } from 'react';
import { useConsole } from './context.js';
import { absoluteTime, isoTime, relativeTime, STATUS_LABEL } from './format.js';

export const PAGE_HEADING_ID = 'page-heading';

// Each page's title. The shell moves focus here after navigation, so keyboard and screen-reader users
// start at the top of what changed.
export function PageHeading({ children }) {
  return <h2 id={PAGE_HEADING_ID} tabIndex={-1} className="page-heading">{children}</h2>;
}

export function focusPageHeading() {
  document.getElementById(PAGE_HEADING_ID)?.focus();
}

// An API failure in words, announced (role=alert). `what` names the action that failed.
export function ErrorText({ error, what, id }) {
  if (!error) return null;
  return (
    <div className="notice error" role="alert" id={id} data-testid="error">
      <p>{what ? `${what}: ` : ''}{error.message}</p>
    </div>
  );
}

export function StatusBadge({ status }) {
  return <span className={`badge status-${status}`} data-testid="status-badge">{STATUS_LABEL[status] || status}</span>;
}

// A clock for relative times, ticking every 30 s (one per component that shows times).
export function useNow(intervalMs = 30000) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(t);
  }, [intervalMs]);
  return now;
}

export function Time({ ms, now }) {
  return <time dateTime={isoTime(ms)} title={absoluteTime(ms)}>{relativeTime(ms, now)}</time>;
}

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

// A modal <dialog>: focus goes to initialFocus (or the first control), Tab and Shift+Tab stay inside,
// Escape closes, and on close focus returns to what opened it (or to the page heading if that is gone).
export function Dialog({ title, children, onClose, initialFocus, className = '' }) {
  const ref = useRef(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    const opener = document.activeElement;
    if (typeof d.showModal === 'function' && !d.open) d.showModal();
    else d.setAttribute('open', '');
    const first = initialFocus?.current || d.querySelector(FOCUSABLE);
    first?.focus();
    return () => {
      if (typeof d.close === 'function' && d.open) d.close();
      if (opener && opener !== document.body && opener.isConnected) opener.focus();
      else focusPageHeading();
    };
  }, [initialFocus]);

  const onKeyDown = (e) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      onClose();
      return;
    }
    if (e.key !== 'Tab') return;
    const items = [...ref.current.querySelectorAll(FOCUSABLE)];
    if (!items.length) { e.preventDefault(); return; }
    const first = items[0];
    const last = items[items.length - 1];
    if (e.shiftKey && (document.activeElement === first || !ref.current.contains(document.activeElement))) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && (document.activeElement === last || !ref.current.contains(document.activeElement))) {
      e.preventDefault();
      first.focus();
    }
  };

  return (
    // The browser's own Escape handling (cancel) is routed through onClose so React state stays in charge.
    <dialog ref={ref} className={`dialog ${className}`} aria-labelledby={titleId} aria-modal="true"
      onKeyDown={onKeyDown} onCancel={(e) => { e.preventDefault(); onClose(); }}>
      <h2 id={titleId} className="dialog-title">{title}</h2>
      {children}
    </dialog>
  );
}

// A confirmation. With requireText, the confirm button works only once that text is typed. onConfirm
// may be async; its failure is shown inside the dialog, which stays open.
export function ConfirmDialog({ title, children, confirmLabel, busyLabel, onConfirm, onClose, requireText, danger = false }) {
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const inputId = useId();
  const errorId = useId();
  const cancel = useRef(null);
  const input = useRef(null);
  const needsText = Boolean(requireText);
  const matches = !needsText || typed.trim() === requireText.trim();

  const confirm = async (e) => {
    e.preventDefault();
    if (busy || !matches) return;
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <Dialog title={title} onClose={() => { if (!busy) onClose(); }} initialFocus={needsText ? input : cancel}>
      <form className="dialog-body" onSubmit={confirm}>
        {children}
        {needsText && (
          <div className="field">
            <label htmlFor={inputId}>Type <strong>{requireText}</strong> to confirm</label>
            <input id={inputId} ref={input} value={typed} autoComplete="off" spellCheck={false}
              onChange={(e) => setTyped(e.target.value)} aria-describedby={error ? errorId : undefined} />
          </div>
        )}
        <ErrorText error={error} id={errorId} />
        <div className="dialog-actions">
          <button type="button" ref={cancel} className="button" onClick={onClose} disabled={busy}>Cancel</button>
          <button type="submit" className={`button ${danger ? 'danger' : 'primary'}`} disabled={!matches}
            aria-busy={busy || undefined}>
            {busy ? busyLabel || 'Working…' : confirmLabel}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

// A link or secret to hand on: a read-only field (selected on focus) and a Copy button. Without the
// Clipboard API (plain http, old browsers) Copy selects the text and says how to copy it.
export function CopyField({ label, value, note }) {
  const { clipboard } = useConsole();
  const id = useId();
  const noteId = useId();
  const input = useRef(null);
  const [message, setMessage] = useState('');

  const copy = async () => {
    const cb = clipboard !== undefined ? clipboard : navigator.clipboard;
    try {
      if (!cb || typeof cb.writeText !== 'function') throw new Error('no clipboard');
      await cb.writeText(value);
      setMessage('Copied to the clipboard.');
    } catch {
      input.current?.focus();
      input.current?.select();
      setMessage('Selected. Press Ctrl+C (⌘C on a Mac) to copy.');
    }
  };

  return (
    <div className="copy-field">
      <label htmlFor={id}>{label}</label>
      {note && <p className="hint" id={noteId}>{note}</p>}
      <div className="copy-row">
        <input id={id} ref={input} readOnly value={value} spellCheck={false}
          aria-describedby={note ? noteId : undefined} onFocus={(e) => e.target.select()} />
        <button type="button" className="button" onClick={copy}>Copy</button>
      </div>
      <p className="hint" role="status">{message}</p>
    </div>
  );
}

const LIVE_LABEL = {
  connecting: 'Connecting for live updates…',
  live: 'Live',
  retrying: 'Live updates paused, reconnecting',
  unavailable: 'Live updates unavailable',
};

// Whether live updates are flowing, with Refresh always at hand (the page works without the socket).
export function LiveBar({ watch, onRefresh, refreshing }) {
  const now = useNow(1000);
  const refresh = useRef(null);
  const secs = watch.retryAt ? Math.max(0, Math.ceil((watch.retryAt - now) / 1000)) : 0;
  return (
    <div className={`live live-${watch.state}`} data-testid="live" data-state={watch.state}>
      <span className="dot" aria-hidden="true" />
      <span role="status">{LIVE_LABEL[watch.state] || watch.state}</span>
      {watch.state === 'retrying' && secs > 0 && (
        <>
          <span className="hint" aria-hidden="true">in {secs} s</span>
          {/* The button goes away once used: focus moves on to Refresh rather than to <body>. */}
          <button type="button" className="link" onClick={() => { refresh.current?.focus(); watch.retryNow(); }}>Reconnect now</button>
        </>
      )}
      <button type="button" ref={refresh} className="button small" onClick={onRefresh} aria-busy={refreshing || undefined}>
        {refreshing ? 'Refreshing…' : 'Refresh'}
      </button>
    </div>
  );
}
