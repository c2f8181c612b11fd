// The candidate's page: reads ?interview=ID&token=TOKEN, then shows the conversation, the answer box
// (or the Start button, or the end state) and the connection state.
import { useEffect, useRef, useState } from 'react';
import { shownConnection, useInterview } from './useInterview.js';
import { focusAnswer, useFocusWhen } from './focus.js';
import { currentChoices } from './interviewReducer.js';
import MessageList from './components/MessageList.jsx';
import ChoiceButtons from './components/ChoiceButtons.jsx';
import Composer from './components/Composer.jsx';
import StatusBar from './components/StatusBar.jsx';
import EndState from './components/EndState.jsx';
import ErrorNotice from './components/ErrorNotice.jsx';

export const START_MESSAGE = "Hello, I'm ready to start.";

export function readLink(search = window.location.search) {
  const q = new URLSearchParams(search);
  const interviewId = (q.get('interview') || '').trim();
  const token = (q.get('token') || '').trim();
  return interviewId && token ? { interviewId, token } : null;
}

function Shell({ children, status }) {
  return (
    <div className="app">
      <header className="top">
        <h1>Interview</h1>
        {status}
      </header>
      <main className="main">{children}</main>
    </div>
  );
}

function Problem({ title, children }) {
  return (
    <section className="problem" role="alert" data-testid="problem">
      <h2>{title}</h2>
      <p>{children}</p>
    </section>
  );
}

export default function App({ search, ...options }) {
  const [link] = useState(() => readLink(search));
  if (!link) {
    return (
      <Shell>
        <Problem title="This link is incomplete">
          This link is incomplete — ask your interviewer for a new one.
        </Problem>
      </Shell>
    );
  }
  // options: url, WebSocketImpl, storage, random, fetchImpl, stallMs (tests inject them)
  return <Interview {...link} {...options} />;
}

// Announces new bot messages once, politely (a re-ask's hint and its question together), without
// re-reading the whole transcript: on the first load only the latest one.
function useAnnouncement(messages, known) {
  const [text, setText] = useState('');
  const seen = useRef(null);
  useEffect(() => {
    const last = messages[messages.length - 1];
    if (!last) { if (known) seen.current = seen.current ?? 0; return; }
    const since = seen.current ?? last.seq - 1;
    if (last.seq <= since) return;
    seen.current = last.seq;
    const fresh = messages.filter((m) => m.seq > since && m.role === 'bot').map((m) => m.text);
    if (fresh.length) setText(fresh.join(' '));
  }, [messages, known]);
  return text;
}

// A new interview: what to expect, and the button that starts it (focused, so Enter starts).
function Welcome({ onStart }) {
  const start = useRef(null);
  useFocusWhen(start);
  return (
    <section className="welcome" data-testid="welcome" aria-labelledby="welcome-title">
      <h2 id="welcome-title">Welcome</h2>
      <p>This is a short conversation with an interview assistant. Answer in your own words, or pick one of the offered options when there are some. Your answers are saved as you go, so you can reload this page at any time.</p>
      <button type="button" className="primary" ref={start} onClick={onStart}>Start the interview</button>
    </section>
  );
}

export function Interview(props) {
  const { state, submit, dismissError, retryNow, retry, edit, discard, loadDraft, saveDraft } = useInterview(props);
  const announcement = useAnnouncement(state.messages, state.status !== null);
  const choices = currentChoices(state);
  const finished = state.status === 'finished';
  const cannotConnect = !state.everConnected && state.failedOpens >= 2;

  const status = <StatusBar conn={shownConnection(state)} retryAt={state.online ? state.retryAt : null} onRetry={retryNow} />;

  if (state.fatal?.code === 'invalid_link') {
    return (
      <Shell>
        <Problem title="This link is not valid">
          This link is not valid — ask your interviewer for a new one.
        </Problem>
      </Shell>
    );
  }
  if (state.fatal) {
    return (
      <Shell status={status}>
        <Problem title="Interview not found">
          We could not find this interview. The link may be wrong or no longer valid — ask your interviewer for a new one.
        </Problem>
      </Shell>
    );
  }

  const showStart = state.status === 'new' && state.pending.length === 0 && state.messages.length === 0;
  return (
    <Shell status={status}>
      <div className="visually-hidden" aria-live="polite" aria-atomic="true" data-testid="announcer">{announcement}</div>
      {cannotConnect && (
        <div className="notice warn" role="alert" data-testid="connect-problem">
          Could not connect. If this keeps happening, your link may be invalid or expired.
        </div>
      )}
      {state.status === null && state.messages.length === 0 && !cannotConnect && (
        <p className="loading" data-testid="loading">Loading your interview…</p>
      )}
      {showStart ? (
        <Welcome onStart={() => submit(START_MESSAGE)} />
      ) : (
        <MessageList messages={state.messages} pending={state.pending} onRetry={retry} onEdit={edit} onDiscard={discard} />
      )}
      {finished ? (
        <EndState />
      ) : (
        state.status !== null && !showStart && (
          <div className="answer-area">
            {/* The chosen button disappears with its question: the candidate carries on in the answer box. */}
            <ChoiceButtons choices={choices} onChoose={(c) => { submit(c); focusAnswer(); }} />
            <Composer onSend={submit} loadDraft={loadDraft} onDraft={saveDraft}>
              <ErrorNotice error={state.error} onDismiss={dismissError} />
            </Composer>
          </div>
        )
      )}
      {finished && state.error && <ErrorNotice error={state.error} onDismiss={dismissError} />}
    </Shell>
  );
}
