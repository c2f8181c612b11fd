// One interview: the transcript as a conversation (a heading where a section starts) with the results
// beside it, live while the candidate answers (watch ?interview=ID&from=NEXT_SEQ appends turns), and the
// interviewer's actions: close, new link, Markdown download and, for admins, erase.
import { useEffect, useReducer, useRef, useState } from 'react';
import { isAdmin, useConsole } from './context.js';
import { transcriptUrl } from './api.js';
import { absoluteTime, clockTime, formatScore, isoTime } from './format.js';
import { useWatch, watchUrl } from './watch.js';
import { ConfirmDialog, CopyField, ErrorText, LiveBar, PageHeading, StatusBadge, Time, useNow } from './ui.jsx';

// Results are re-read this long after the last live turn (scores and answers are not in the frames).
const RESULTS_DELAY_MS = 1200;

// Turns by seq, each once, in order.
function mergeTurns(have, add) {
  if (!add?.length) return have;
  const bySeq = new Map(have.map((t) => [t.seq, t]));
  for (const t of add) if (t && Number.isFinite(t.seq)) bySeq.set(t.seq, t);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

function reducer(s, a) {
  switch (a.type) {
    case 'loaded': {
      const { transcript, ...data } = a.data || {};
      return { ...s, data, turns: mergeTurns(s.turns, transcript), error: null };
    }
    case 'failed':
      return { ...s, error: a.error };
    case 'turns':
      return {
        ...s,
        turns: mergeTurns(s.turns, a.frame.messages),
        data: s.data && { ...s.data, status: a.frame.status || s.data.status, updated: a.now },
      };
    case 'status':
      return { ...s, data: s.data && { ...s.data, status: a.status, updated: a.now } };
    case 'updated':
      return { ...s, data: s.data && { ...s.data, ...a.item } };
    case 'gone':
      return { ...s, gone: true };
    default:
      return s;
  }
}

// Consecutive turns under the section the script was in when it said them.
function groupBySection(turns) {
  const groups = [];
  let cur = null;
  for (const t of turns) {
    const section = t.section || '';
    if (!cur || (section && section !== cur.section)) {
      cur = { section: section || cur?.section || '', turns: [], start: t.seq };
      groups.push(cur);
    }
    cur.turns.push(t);
  }
  return groups;
}

function Transcript({ turns, candidate }) {
  if (!turns.length) return <p className="hint">No messages yet. They appear here as the candidate answers.</p>;
  return groupBySection(turns).map((g) => (
    <div className="section-group" key={g.start}>
      {g.section && <h4 className="section-title">{g.section}</h4>}
      <ol className="conversation">
        {g.turns.map((t) => (
          <li key={t.seq} className={`turn ${t.role === 'candidate' ? 'from-candidate' : 'from-bot'}`}
            data-testid="turn" data-seq={t.seq}>
            <div className="turn-head">
              <span className="who">{t.role === 'candidate' ? candidate || 'Candidate' : 'Interview bot'}</span>
              {t.ts ? <time dateTime={isoTime(t.ts)} title={absoluteTime(t.ts)}>{clockTime(t.ts)}</time> : null}
            </div>
            <div className="turn-text">{t.text}</div>
            {t.choices?.length > 0 && <p className="offered">Options offered: {t.choices.join(' · ')}</p>}
          </li>
        ))}
      </ol>
    </div>
  ));
}

function Results({ data }) {
  const scores = Object.entries(data.scores || {});
  const answers = Object.entries(data.answers || {});
  const notes = data.notes || [];
  const tags = data.tags || [];
  return (
    <>
      <h4>Scores</h4>
      {scores.length ? (
        <dl className="pairs scores-list" data-testid="scores">
          {scores.map(([k, v]) => <div key={k}><dt>{k}</dt><dd>{formatScore(v)}</dd></div>)}
        </dl>
      ) : <p className="hint">No scores yet.</p>}
      <h4>Answers</h4>
      {answers.length ? (
        <dl className="pairs answers-list" data-testid="answers">
          {answers.map(([k, v]) => <div key={k}><dt>{k}</dt><dd>{v}</dd></div>)}
        </dl>
      ) : <p className="hint">No answers recorded yet.</p>}
      {notes.length > 0 && (
        <>
          <h4>Notes</h4>
          <ul className="notes" data-testid="notes">{notes.map((n, i) => <li key={i}>{n}</li>)}</ul>
        </>
      )}
      {tags.length > 0 && (
        <>
          <h4>Tags</h4>
          <ul className="tags" data-testid="tags">{tags.map((t) => <li key={t} className="tag">{t}</li>)}</ul>
        </>
      )}
      {data.last_error && (
        <>
          <h4>Last script error</h4>
          <div className="script-error" data-testid="script-error">
            <p>{data.last_error}</p>
            {data.last_traceback && <pre tabIndex={0} aria-label="Traceback">{data.last_traceback}</pre>}
          </div>
        </>
      )}
    </>
  );
}

// The same frame while loading, loaded or missing, so the heading (which has focus after navigation)
// stays the same element as the page fills in.
function Frame({ title, badge, children }) {
  return (
    <section className="page interview-page" aria-labelledby="page-heading">
      <p className="back"><a href="#/"><span aria-hidden="true">← </span>Interviews</a></p>
      <div className="page-head">
        <PageHeading>{title}</PageHeading>
        {badge}
      </div>
      {children}
    </section>
  );
}

export default function InterviewPage({ id }) {
  const { api, me, WebSocketImpl, navigate } = useConsole();
  const now = useNow();
  const [state, dispatch] = useReducer(reducer, { data: null, turns: [], error: null, gone: false });
  const [reload, setReload] = useState(0);
  const [dialog, setDialog] = useState(null); // 'close' | 'link' | 'erase'
  const [link, setLink] = useState(null);
  const [announcement, setAnnouncement] = useState('');
  const resultsTimer = useRef(null);
  const { data, turns } = state;

  useEffect(() => {
    let live = true;
    api.interview(id).then(
      (d) => { if (live) dispatch({ type: 'loaded', data: d }); },
      (error) => { if (live) dispatch({ type: 'failed', error }); },
    );
    return () => { live = false; };
  }, [api, id, reload]);

  useEffect(() => () => clearTimeout(resultsTimer.current), []);

  const nextSeq = turns.length ? turns[turns.length - 1].seq + 1 : Math.max(1, data?.next_seq || 1);
  const onFrame = (frame) => {
    if (frame.type === 'turns') {
      const fresh = (frame.messages || []).filter((m) => !turns.some((t) => t.seq === m.seq));
      dispatch({ type: 'turns', frame, now: Date.now() });
      if (fresh.length) {
        const last = fresh[fresh.length - 1];
        const who = last.role === 'candidate' ? data?.candidate || 'The candidate' : 'The interview bot';
        setAnnouncement(`${who}: ${last.text.length > 160 ? `${last.text.slice(0, 160)}…` : last.text}`);
        clearTimeout(resultsTimer.current);
        resultsTimer.current = setTimeout(() => setReload((n) => n + 1), RESULTS_DELAY_MS);
      }
    } else if (frame.type === 'status' && frame.interview_id === id) {
      if (frame.event === 'erased') dispatch({ type: 'gone' });
      else if (frame.status) dispatch({ type: 'status', status: frame.status, now: Date.now() });
    } else if (frame.type === 'error' && frame.code === 'not_found') {
      dispatch({ type: 'gone' });
    }
  };
  const watch = useWatch({
    key: data && !state.gone ? id : null,
    getUrl: () => watchUrl({ interview: id, from: String(nextSeq) }),
    onFrame,
    onReopen: () => setReload((n) => n + 1),
    WebSocketImpl,
  });

  if (state.gone || (!data && state.error)) {
    const notFound = state.gone || state.error?.status === 404;
    return (
      <Frame title={notFound ? 'Interview not found' : 'Interview'}>
        {notFound
          ? <p className="notice warn" role="status">{state.gone ? 'This interview has been erased.' : 'There is no such interview. It may have been erased, or the address is wrong.'}</p>
          : <ErrorText error={state.error} what="Could not load the interview" />}
      </Frame>
    );
  }
  if (!data) {
    return (
      <Frame title="Interview">
        <p className="hint" role="status">Loading the interview…</p>
      </Frame>
    );
  }

  const open = data.status === 'new' || data.status === 'active';
  const candidate = data.candidate || '';
  const close = async () => {
    const res = await api.closeInterview(id);
    dispatch({ type: 'updated', item: res?.interview ?? res ?? { status: 'closed' } });
    setAnnouncement('The interview is closed.');
    setDialog(null);
  };
  const newLink = async () => {
    setLink(await api.newLink(id));
    setDialog(null);
  };
  const erase = async () => {
    await api.eraseInterview(id);
    navigate('#/', `The interview with ${candidate || id} was erased.`);
  };

  return (
    <Frame title={candidate || '(no name)'} badge={<StatusBadge status={data.status} />}>
      <p className="meta">
        <span>Script <strong>{data.script}</strong>{data.script_hash ? <> <code title={`sha256 ${data.script_hash}`}>{data.script_hash.slice(0, 12)}</code></> : null}</span>
        <span>Created <Time ms={data.created} now={now} /></span>
        <span>Last activity <Time ms={data.updated || data.created} now={now} /></span>
        <span>ID <code>{id}</code></span>
      </p>
      <div className="toolbar" role="group" aria-label="Interview actions">
        {open && <button type="button" className="button" onClick={() => setDialog('close')}>Close interview</button>}
        {open && <button type="button" className="button" onClick={() => setDialog('link')}>New link</button>}
        <a className="button" href={transcriptUrl(id)} download={`interview-${id}.md`}>Download Markdown</a>
        {isAdmin(me) && <button type="button" className="button danger" onClick={() => setDialog('erase')}>Erase</button>}
      </div>
      {link && (
        <div className="panel" data-testid="new-link">
          <CopyField label="New candidate link" value={link.url || ''}
            note="The previous link no longer works. Send this one to the candidate." />
        </div>
      )}
      <LiveBar watch={watch} onRefresh={() => setReload((n) => n + 1)} />
      <p className="visually-hidden" aria-live="polite" data-testid="announcer">{announcement}</p>
      <ErrorText error={state.error} what="Could not refresh" />

      <div className="interview-layout">
        <section className="panel transcript" aria-labelledby="transcript-title" data-testid="transcript">
          <h3 id="transcript-title">Transcript</h3>
          <Transcript turns={turns} candidate={candidate} />
        </section>
        <aside className="panel results" aria-labelledby="results-title" data-testid="results">
          <h3 id="results-title">Results</h3>
          <Results data={data} />
        </aside>
      </div>

      {dialog === 'close' && (
        <ConfirmDialog title="Close this interview?" confirmLabel="Close interview" busyLabel="Closing…"
          onConfirm={close} onClose={() => setDialog(null)}>
          <p>{candidate || 'The candidate'} will not be able to answer any more. What was said so far is kept.</p>
        </ConfirmDialog>
      )}
      {dialog === 'link' && (
        <ConfirmDialog title="Make a new candidate link?" confirmLabel="Make a new link" busyLabel="Making…"
          onConfirm={newLink} onClose={() => setDialog(null)}>
          <p>The current link stops working at once. The interview itself is kept.</p>
        </ConfirmDialog>
      )}
      {dialog === 'erase' && (
        <ConfirmDialog title="Erase this interview?" confirmLabel="Erase permanently" busyLabel="Erasing…" danger
          requireText={candidate || undefined} onConfirm={erase} onClose={() => setDialog(null)}>
          <p>This deletes the transcript, the results and every link of the interview with <strong>{candidate || id}</strong>. It cannot be undone.</p>
        </ConfirmDialog>
      )}
    </Frame>
  );
}
