// The answer box: a labelled textarea where Enter sends and Shift+Enter starts a new line. Nothing but
// the candidate writes into it: a refused answer stays in the conversation as "Not sent" (see
// MessageList) instead of replacing a draft. `children` (the error notice) renders right beside the input.
import { useRef, useState } from 'react';
import { ANSWER_ID, focusOn, useFocusWhen } from '../focus.js';

// loadDraft() gives what the box starts with (kept from before a reload); onDraft hears every change.
export default function Composer({ onSend, children, autoFocus = true, loadDraft, onDraft }) {
  const [text, setText] = useState(() => loadDraft?.() || '');
  const box = useRef(null);

  useFocusWhen(box, autoFocus);

  const change = (value) => {
    setText(value);
    onDraft?.(value);
  };
  const send = () => {
    if (!text.trim()) return;
    onSend(text);
    change('');
    focusOn(box);
  };

  return (
    <form className="composer" onSubmit={(e) => { e.preventDefault(); send(); }} data-testid="composer">
      {children}
      <label htmlFor={ANSWER_ID} className="visually-hidden">Your answer</label>
      <div className="composer-row">
        <textarea
          id={ANSWER_ID}
          ref={box}
          rows={2}
          value={text}
          placeholder="Type your answer…"
          aria-describedby="answer-hint"
          onChange={(e) => change(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) { e.preventDefault(); send(); }
          }}
        />
        <button type="submit" className="send" disabled={!text.trim()}>Send</button>
      </div>
      <p id="answer-hint" className="hint">Enter to send · Shift+Enter for a new line</p>
    </form>
  );
}
