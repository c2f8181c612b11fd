// Scripts: for each file in the scripts directory, whether it compiles (the error if not), export links
// (CSV, JSON Lines) and a summary of its interviews with the drop-off: where unfinished ones stopped.
import { useEffect, useState } from 'react';
import { useConsole } from './context.js';
import { exportUrl } from './api.js';
import { useScripts } from './useScripts.js';
import { ErrorText, PageHeading } from './ui.jsx';

const slug = (name) => name.replace(/[^A-Za-z0-9_-]/g, '-');

function Summary({ name }) {
  const { api } = useConsole();
  const [state, setState] = useState({ stats: null, error: null });
  useEffect(() => {
    let live = true;
    api.stats(name).then(
      (stats) => { if (live) setState({ stats, error: null }); },
      (error) => { if (live) setState({ stats: null, error }); },
    );
    return () => { live = false; };
  }, [api, name]);

  if (state.error) return <ErrorText error={state.error} what="Could not load the summary" />;
  if (!state.stats) return <p className="hint">Loading the summary…</p>;
  const s = state.stats;
  const dropoff = [...(s.dropoff || [])].sort((a, b) => b.count - a.count);
  return (
    <>
      <dl className="counts" data-testid="counts">
        <div><dt>Not started</dt><dd>{s.new ?? 0}</dd></div>
        <div><dt>Started</dt><dd>{s.started ?? 0}</dd></div>
        <div><dt>Finished</dt><dd>{s.finished ?? 0}</dd></div>
        <div><dt>Closed</dt><dd>{s.closed ?? 0}</dd></div>
      </dl>
      <h4>Drop-off</h4>
      {dropoff.length ? (
        <table className="dropoff" data-testid="dropoff">
          <caption className="visually-hidden">Where unfinished interviews of {name} stopped</caption>
          <thead><tr><th scope="col">Last question reached</th><th scope="col" className="num">Interviews</th></tr></thead>
          <tbody>
            {dropoff.map((d, i) => (
              <tr key={i}><td>{d.question || '(before the first question)'}</td><td className="num">{d.count}</td></tr>
            ))}
          </tbody>
        </table>
      ) : <p className="hint">No unfinished interviews stopped partway.</p>}
    </>
  );
}

export default function ScriptsPage() {
  const { api } = useConsole();
  const { scripts, error } = useScripts(api);
  return (
    <section className="page" aria-labelledby="page-heading">
      <PageHeading>Scripts</PageHeading>
      <ErrorText error={error} what="Could not load the scripts" />
      {scripts === null && <p className="hint" role="status">Loading scripts…</p>}
      {scripts?.length === 0 && !error && <p className="hint">There are no scripts in the scripts directory.</p>}
      <div className="cards">
        {(scripts || []).map((s) => (
          <section key={s.name} className="panel script-card" aria-labelledby={`script-${slug(s.name)}`} data-testid="script-card">
            <h3 id={`script-${slug(s.name)}`}>{s.name}</h3>
            {s.ok ? (
              <p className="ok-text">Compiles{s.hash ? <> · <code title={`sha256 ${s.hash}`}>{s.hash.slice(0, 12)}</code></> : null}</p>
            ) : (
              <div className="script-error"><p>Does not compile:</p><pre tabIndex={0}>{s.error || 'unknown error'}</pre></div>
            )}
            <p className="exports">
              Export: <a className="button small" href={exportUrl(s.name, 'csv')} download={`${s.name}.csv`} aria-label={`Export ${s.name} as CSV`}>CSV</a>{' '}
              <a className="button small" href={exportUrl(s.name, 'jsonl')} download={`${s.name}.jsonl`} aria-label={`Export ${s.name} as JSON Lines`}>JSON Lines</a>
            </p>
            <Summary name={s.name} />
          </section>
        ))}
      </div>
    </section>
  );
}
