// The connection state, always visible: connecting, connected, reconnecting (with a countdown to the
// next attempt and a way to try at once) or offline.
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { focusOn } from '../focus.js';

// "Try now" goes away as soon as it is used (or the countdown ends). If it had focus, hand focus to the
// status text before the button leaves the DOM, so keyboard users are not dropped onto <body>.
function TryNow({ onRetry, onGone }) {
  const button = useRef(null);
  useLayoutEffect(() => () => {
    if (button.current && document.activeElement === button.current) onGone();
  }, [onGone]);
  return <button type="button" className="link" ref={button} onClick={onRetry}>Try now</button>;
}

const LABEL = { connecting: 'Connecting…', connected: 'Connected', reconnecting: 'Reconnecting…', offline: 'Offline' };

// The wait for the next attempt, counted down, with "Try now". Keyed by retryAt, so each wait counts
// from a clock read when it starts, never from the last tick of an earlier one.
function Countdown({ retryAt, onRetry, onGone }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(t);
  }, []);
  const secs = Math.max(0, Math.ceil((retryAt - now) / 1000));
  if (secs <= 0) return null;
  return (
    <>
      <span className="sub" aria-hidden="true">next try in {secs} s</span>
      {onRetry && <TryNow onRetry={onRetry} onGone={onGone} />}
    </>
  );
}

export default function StatusBar({ conn, retryAt, onRetry }) {
  const label = useRef(null);
  const [focusLabel] = useState(() => () => focusOn(label));

  return (
    <div className={`status status-${conn}`} data-testid="status" data-state={conn}>
      <span className="dot" aria-hidden="true" />
      <span className="label" role="status" tabIndex={-1} ref={label}>{LABEL[conn] || conn}</span>
      {conn === 'offline' && <span className="sub">Your answers are kept and sent when you are back online.</span>}
      {conn !== 'connected' && retryAt ? <Countdown key={retryAt} retryAt={retryAt} onRetry={onRetry} onGone={focusLabel} /> : null}
    </div>
  );
}
