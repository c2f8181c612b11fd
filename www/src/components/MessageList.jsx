// The transcript as chat bubbles in seq order, then the candidate's not-yet-recorded messages marked
// as such: sending, waiting, held behind a refused one, or refused ("Not sent") with Retry / Edit /
// Discard. Keeps the newest message in view.
import { useEffect, useRef, useState } from 'react';
import { focusAnswer, useFocusWhen } from '../focus.js';

function Refused({ p, onRetry, onEdit, onDiscard }) {
  // 'cancelled': back from editing, focus returns to the Edit button that opened the box.
  const [mode, setMode] = useState('shown'); // 'shown' | 'editing' | 'cancelled'
  const [draft, setDraft] = useState(p.text);
  const box = useRef(null);
  const editButton = useRef(null);
  const boxId = `edit-${p.id}`;
  useFocusWhen(box, mode === 'editing');
  useFocusWhen(editButton, mode === 'cancelled');

  if (mode === 'editing') {
    const save = () => {
      if (!draft.trim()) return;
      onEdit?.(p.id, draft);
      focusAnswer();
    };
    return (
      <form className="edit" onSubmit={(e) => { e.preventDefault(); save(); }} data-testid="edit-refused">
        <label htmlFor={boxId} className="edit-label">Edit your answer</label>
        <textarea id={boxId} ref={box} rows={3} value={draft} onChange={(e) => setDraft(e.target.value)} />
        <div className="actions">
          <button type="submit" className="small" disabled={!draft.trim()}>Send again</button>
          <button type="button" className="small" onClick={() => { setMode('cancelled'); setDraft(p.text); }}>Cancel</button>
        </div>
      </form>
    );
  }
  return (
    <>
      <span className="text">{p.text}</span>
      <span className="meta">Not sent</span>
      <div className="actions">
        <button type="button" className="small" onClick={() => { onRetry?.(p.id); focusAnswer(); }}>Retry</button>
        <button type="button" className="small" ref={editButton} onClick={() => setMode('editing')}>Edit</button>
        <button type="button" className="small" onClick={() => { onDiscard?.(p.id); focusAnswer(); }}>Discard</button>
      </div>
    </>
  );
}

// The answer area sticks to the bottom of the viewport, over the end of this list: only scrolling the
// page to its very end puts the newest message just above it, in view.
function scrollingRoot() {
  return document.scrollingElement || document.documentElement;
}

function scrollToEnd() {
  const root = scrollingRoot();
  root?.scrollTo?.({ top: root.scrollHeight });
}

// Keeps the newest message in view. A new message always scrolls to it. Anything else that changes the
// page's height (choices, a notice, the end state, an edit box, a rewrap) or the viewport's (a phone's
// keyboard, a rotation) follows the end too, unless the candidate had scrolled up to read.
function useFollowEnd(count) {
  useEffect(scrollToEnd, [count]);
  useEffect(() => {
    const root = scrollingRoot();
    if (!root) return undefined;
    // Where the end was when last measured. A scroll event is handled after the layout has moved on
    // but before the observer hears of it: grown content must not count as "scrolled up", and content
    // that shrank puts the end where it now is.
    let height = root.scrollHeight;
    let atEnd = true;
    const onScroll = () => { atEnd = root.scrollTop + root.clientHeight >= Math.min(height, root.scrollHeight) - 48; };
    const follow = () => { if (atEnd) scrollToEnd(); };
    const onSize = () => { follow(); height = root.scrollHeight; };
    const sizes = typeof ResizeObserver === 'function' ? new ResizeObserver(onSize) : null;
    sizes?.observe(document.body);
    window.addEventListener('scroll', onScroll, { passive: true });
    window.addEventListener('resize', follow);
    return () => {
      sizes?.disconnect();
      window.removeEventListener('scroll', onScroll);
      window.removeEventListener('resize', follow);
    };
  }, []);
}

export default function MessageList({ messages, pending = [], onRetry, onEdit, onDiscard }) {
  useFollowEnd(messages.length + pending.length);

  const ordered = [...messages].sort((a, b) => a.seq - b.seq);
  const firstRefused = pending.findIndex((p) => p.state === 'refused');
  const note = (p, i) => {
    if (p.state === 'sent') return 'Sending…';
    if (firstRefused >= 0 && i > firstRefused) return 'Held until you retry, edit or discard the answer above';
    return 'Waiting for connection — will send automatically';
  };
  return (
    <ol className="messages" aria-label="Conversation" data-testid="messages">
      {ordered.map((m) => (
        <li
          key={`s${m.seq}`}
          className={`bubble ${m.role === 'candidate' ? 'me' : 'bot'}`}
          data-testid={m.role === 'candidate' ? 'msg-candidate' : 'msg-bot'}
          data-seq={m.seq}
          data-kind={m.kind}
        >
          <span className="visually-hidden">{m.role === 'candidate' ? 'You: ' : 'Interviewer: '}</span>
          <span className="text">{m.text}</span>
        </li>
      ))}
      {pending.map((p, i) => (
        <li
          key={`p${p.id}`}
          className={`bubble me pending${p.state === 'refused' ? ' refused' : ''}`}
          data-testid="msg-pending"
          data-state={p.state}
        >
          <span className="visually-hidden">You: </span>
          {p.state === 'refused' ? (
            <Refused p={p} onRetry={onRetry} onEdit={onEdit} onDiscard={onDiscard} />
          ) : (
            <>
              <span className="text">{p.text}</span>
              <span className="meta">{note(p, i)}</span>
            </>
          )}
        </li>
      ))}
    </ol>
  );
}
