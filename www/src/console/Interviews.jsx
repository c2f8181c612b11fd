// The interviews table: newest first, filtered by status and script, searched by candidate, paged with
// "Load more", and kept current by the all-interviews watch socket (status frames change rows in place
// and add new interviews without a refetch). Filters live in the address (#/?status=…) so coming back
// from an interview finds them as they were.
import { useEffect, useReducer, useRef, useState } from 'react';
import { useConsole } from './context.js';
import { exportUrl } from './api.js';
import { compactScores, messageCount, STATUS_LABEL, STATUSES } from './format.js';
import { useScripts } from './useScripts.js';
import { useWatch, watchUrl } from './watch.js';
import { ErrorText, LiveBar, PageHeading, StatusBadge, Time, useNow } from './ui.jsx';

export const PAGE_SIZE = 50;

const EVENT_TEXT = {
  created: 'new interview',
  started: 'started',
  finished: 'finished',
  closed: 'closed',
  erased: 'erased',
  script_error: 'script error',
};

function matchesFilters(f, item) {
  if (f.status && item.status !== f.status) return false;
  if (f.script && item.script !== f.script) return false;
  if (f.q && !(item.candidate || '').toLowerCase().includes(f.q.toLowerCase())) return false;
  return true;
}

// One status frame applied to the rows shown.
function applyStatus(s, frame, now, filters) {
  const id = frame.interview_id;
  if (!id) return s;
  const i = s.items.findIndex((x) => x.id === id);
  if (frame.event === 'erased') return i < 0 ? s : { ...s, items: s.items.filter((x) => x.id !== id) };
  if (i >= 0) {
    const cur = s.items[i];
    const items = s.items.slice();
    items[i] = {
      ...cur,
      status: frame.status || cur.status,
      script: frame.script || cur.script,
      candidate: frame.candidate ?? cur.candidate,
      updated: now,
      script_error: frame.event === 'script_error' ? true : cur.script_error,
    };
    return { ...s, items };
  }
  const item = { id, script: frame.script || '', candidate: frame.candidate || '', status: frame.status || 'new',
    created: now, updated: now, messages: 0, scores: {}, tags: [] };
  if (frame.event !== 'created' || !matchesFilters(filters, item)) return s;
  return { ...s, items: [item, ...s.items] };
}

function reducer(s, a) {
  switch (a.type) {
    case 'loaded':
      return { key: a.key, items: a.data?.interviews || [], next: a.data?.next_cursor ?? null, error: null };
    case 'failed':
      return { ...s, key: a.key, error: a.error };
    case 'more': {
      if (a.key !== s.key) return s;
      const known = new Set(s.items.map((x) => x.id));
      const fresh = (a.data?.interviews || []).filter((x) => !known.has(x.id));
      return { ...s, items: [...s.items, ...fresh], next: a.data?.next_cursor ?? null };
    }
    case 'status':
      return applyStatus(s, a.frame, a.now, a.filters);
    case 'reread': {
      // A row read again after a status frame: its counts and results, which frames do not carry.
      const i = s.items.findIndex((x) => x.id === a.item.id);
      if (i < 0) return s;
      const { messages, scores, tags, next_seq } = a.item;
      const items = s.items.slice();
      items[i] = { ...items[i], messages: messages ?? (next_seq ? next_seq - 1 : items[i].messages), scores: scores ?? items[i].scores, tags: tags ?? items[i].tags };
      return { ...s, items };
    }
    default:
      return s;
  }
}

function filtersToHash(f) {
  const q = new URLSearchParams();
  for (const k of ['status', 'script', 'q']) if (f[k]) q.set(k, f[k]);
  const s = q.toString();
  return `#/${s ? `?${s}` : ''}`;
}

export default function Interviews({ params }) {
  const { api, WebSocketImpl, flash } = useConsole();
  const { scripts } = useScripts(api);
  const now = useNow();
  const [status, setStatus] = useState(() => (STATUSES.includes(params?.get('status')) ? params.get('status') : ''));
  const [script, setScript] = useState(() => params?.get('script') || '');
  const [qInput, setQInput] = useState(() => params?.get('q') || '');
  const [q, setQ] = useState(qInput.trim());
  const [refresh, setRefresh] = useState(0);
  const [state, dispatch] = useReducer(reducer, { key: null, items: [], next: null, error: null });
  const [more, setMore] = useState({ busy: false, error: null });
  const [announcement, setAnnouncement] = useState('');
  const focusRow = useRef(null);

  const filters = { status, script, q };
  const key = JSON.stringify([status, script, q, refresh]);
  const loading = state.key !== key;

  // Typing searches after a pause; Enter searches at once.
  useEffect(() => {
    const t = setTimeout(() => setQ(qInput.trim()), 300);
    return () => clearTimeout(t);
  }, [qInput]);

  // The filters into the address, without a new history entry or a hashchange.
  useEffect(() => {
    const hash = filtersToHash({ status, script, q });
    if (window.location.hash !== hash) {
      window.history.replaceState(window.history.state, '', hash);
    }
  }, [status, script, q]);

  useEffect(() => {
    let live = true;
    api.interviews({ status, script, q, limit: PAGE_SIZE }).then(
      (data) => { if (live) dispatch({ type: 'loaded', key, data }); },
      (error) => { if (live) dispatch({ type: 'failed', key, error }); },
    );
    return () => { live = false; };
  }, [api, status, script, q, key]);

  // After "Load more", focus goes to the first row it added.
  useEffect(() => {
    if (!focusRow.current) return;
    const id = focusRow.current;
    focusRow.current = null;
    const row = [...document.querySelectorAll('[data-testid="row"]')].find((r) => r.dataset.id === id);
    row?.querySelector('a')?.focus();
  }, [state.items]);

  const onFrame = (frame) => {
    if (frame.type !== 'status') return;
    const shown = state.items.find((x) => x.id === frame.interview_id);
    dispatch({ type: 'status', frame, now: Date.now(), filters });
    const who = frame.candidate || shown?.candidate;
    if (shown && frame.event !== 'erased') {
      api.interview(frame.interview_id).then((item) => dispatch({ type: 'reread', item }), () => {});
    }
    if (shown || frame.event === 'created') {
      setAnnouncement(`${who || 'An interview'}: ${EVENT_TEXT[frame.event] || frame.status || frame.event}`);
    }
  };
  const watch = useWatch({
    key: 'all',
    getUrl: () => watchUrl({ all: '1' }),
    onFrame,
    onReopen: () => setRefresh((n) => n + 1),
    WebSocketImpl,
  });

  const loadMore = async () => {
    if (more.busy || !state.next) return;
    setMore({ busy: true, error: null });
    try {
      const data = await api.interviews({ status, script, q, limit: PAGE_SIZE, cursor: state.next });
      focusRow.current = data?.interviews?.[0]?.id || null;
      dispatch({ type: 'more', key, data });
      setMore({ busy: false, error: null });
    } catch (error) {
      setMore({ busy: false, error });
    }
  };

  const scriptNames = [...new Set([...(scripts || []).map((s) => s.name), ...(script ? [script] : [])])].sort();
  const filtered = Boolean(status || script || q);
  const count = state.items.length;
  let summary = '';
  if (!loading || count) {
    summary = count === 0
      ? (filtered ? 'No interviews match these filters.' : 'No interviews yet. Start one with New interview.')
      : `Showing ${count} interview${count === 1 ? '' : 's'}${state.next ? '; more are available' : ''}.`;
  }

  return (
    <section className="page" aria-labelledby="page-heading">
      <div className="page-head">
        <PageHeading>Interviews</PageHeading>
        <a className="button primary" href="#/new">New interview</a>
      </div>
      {flash && <p className="notice ok" role="status">{flash}</p>}
      <LiveBar watch={watch} onRefresh={() => setRefresh((n) => n + 1)} refreshing={loading && state.key !== null} />
      <p className="visually-hidden" aria-live="polite" data-testid="announcer">{announcement}</p>

      <form className="filters" role="search" aria-label="Filter interviews" onSubmit={(e) => { e.preventDefault(); setQ(qInput.trim()); }}>
        <div className="field">
          <label htmlFor="filter-q">Candidate</label>
          <input id="filter-q" type="search" value={qInput} placeholder="Search by name" autoComplete="off"
            onChange={(e) => setQInput(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="filter-status">Status</label>
          <select id="filter-status" value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">Any status</option>
            {STATUSES.map((s) => <option key={s} value={s}>{STATUS_LABEL[s]}</option>)}
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-script">Script</label>
          <select id="filter-script" value={script} onChange={(e) => setScript(e.target.value)}>
            <option value="">Any script</option>
            {scriptNames.map((n) => <option key={n} value={n}>{n}</option>)}
          </select>
        </div>
      </form>
      {script && (
        <p className="exports">
          Export every <strong>{script}</strong> interview:{' '}
          <a href={exportUrl(script, 'csv')} download={`${script}.csv`}>CSV</a>{' · '}
          <a href={exportUrl(script, 'jsonl')} download={`${script}.jsonl`}>JSON Lines</a>
        </p>
      )}

      <ErrorText error={state.error} what="Could not load interviews" />
      <p role="status" className="summary" data-testid="summary">{loading && !count ? 'Loading interviews…' : summary}</p>

      {count > 0 && (
        <table className="interviews" aria-busy={loading || undefined}>
          <caption className="visually-hidden">Interviews, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Candidate</th>
              <th scope="col">Status</th>
              <th scope="col">Script</th>
              <th scope="col" className="num">Messages</th>
              <th scope="col">Last activity</th>
              <th scope="col">Scores</th>
            </tr>
          </thead>
          <tbody>
            {state.items.map((it) => (
              <tr key={it.id} data-testid="row" data-id={it.id}>
                <th scope="row" data-label="Candidate">
                  <a href={`#/interviews/${encodeURIComponent(it.id)}`}>{it.candidate || '(no name)'}</a>
                </th>
                <td data-label="Status">
                  <StatusBadge status={it.status} />
                  {it.script_error && <span className="badge status-error">Script error</span>}
                </td>
                <td data-label="Script">{it.script}</td>
                <td data-label="Messages" className="num">{messageCount(it)}</td>
                <td data-label="Last activity"><Time ms={it.updated || it.created} now={now} /></td>
                <td data-label="Scores" className="scores">{compactScores(it.scores) || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {state.next && !loading && (
        <div className="more">
          <button type="button" className="button" onClick={loadMore} aria-busy={more.busy || undefined}>
            {more.busy ? 'Loading…' : 'Load more'}
          </button>
        </div>
      )}
      <ErrorText error={more.error} what="Could not load more" />
    </section>
  );
}
