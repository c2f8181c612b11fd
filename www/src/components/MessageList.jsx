// The transcript as chat bubbles in seq order, then the candidate's not-yet-numbered messages marked
// as pending. Keeps the newest message in view.
import { useEffect, useRef } from 'react';

export default function MessageList({ messages, pending = [] }) {
  const end = useRef(null);
  const count = messages.length + pending.length;
  useEffect(() => {
    end.current?.scrollIntoView?.({ block: 'end' });
  }, [count]);

  const ordered = [...messages].sort((a, b) => a.seq - b.seq);
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
      {pending.map((p) => (
        <li key={`p${p.id}`} className="bubble me pending" data-testid="msg-pending" data-state={p.state}>
          <span className="visually-hidden">You: </span>
          <span className="text">{p.text}</span>
          <span className="meta">{p.state === 'sent' ? 'Sending…' : 'Waiting for connection — will send automatically'}</span>
        </li>
      ))}
      <li ref={end} className="end-anchor" aria-hidden="true" />
    </ol>
  );
}
