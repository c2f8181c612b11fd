// "New interview": pick a script (those that fail to compile are listed but cannot be picked, with their
// error), name the candidate, and get the candidate's link with a Copy button.
import { useEffect, useId, useRef, useState } from 'react';
import { useConsole } from './context.js';
import { useScripts } from './useScripts.js';
import { CopyField, ErrorText, PageHeading } from './ui.jsx';

function Created({ result, onAnother }) {
  const heading = useRef(null);
  useEffect(() => { heading.current?.focus(); }, []);
  const id = result.interview_id || result.id;
  return (
    <section className="panel created" aria-labelledby="created-title" data-testid="created">
      <h3 id="created-title" ref={heading} tabIndex={-1}>
        Interview created{result.candidate ? ` for ${result.candidate}` : ''}
      </h3>
      <CopyField label="Candidate link" value={result.url || ''}
        note="Send this link to the candidate. Anyone with it can take the interview." />
      <div className="actions">
        {id && <a className="button" href={`#/interviews/${encodeURIComponent(id)}`}>Open the interview</a>}
        <button type="button" className="button" onClick={onAnother}>Create another</button>
      </div>
    </section>
  );
}

export default function NewInterview() {
  const { api } = useConsole();
  const { scripts, error: scriptsError } = useScripts(api);
  const [picked, setPicked] = useState(null);
  const [candidate, setCandidate] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [fieldError, setFieldError] = useState('');
  const [result, setResult] = useState(null);
  const candidateInput = useRef(null);
  const fieldErrorId = useId();
  const brokenId = useId();

  const usable = (scripts || []).filter((s) => s.ok);
  const broken = (scripts || []).filter((s) => !s.ok);
  // Until someone picks, the first script that compiles.
  const script = picked ?? usable[0]?.name ?? '';

  const submit = async (e) => {
    e.preventDefault();
    if (busy) return;
    if (!candidate.trim()) {
      setFieldError("Enter the candidate's name.");
      candidateInput.current?.focus();
      return;
    }
    setFieldError('');
    setBusy(true);
    setError(null);
    try {
      setResult(await api.createInterview(script, candidate.trim()));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  // "Create another" leaves with its panel: focus goes to the candidate's name for the next one.
  const refocus = useRef(false);
  const another = () => {
    refocus.current = true;
    setResult(null);
    setCandidate('');
  };
  useEffect(() => {
    if (result === null && refocus.current) {
      refocus.current = false;
      candidateInput.current?.focus();
    }
  }, [result]);

  return (
    <section className="page narrow" aria-labelledby="page-heading">
      <PageHeading>New interview</PageHeading>
      {result ? (
        <Created result={result} onAnother={another} />
      ) : (
        <form className="panel form" onSubmit={submit} noValidate>
          {scripts === null && <p className="hint" role="status">Loading scripts…</p>}
          <ErrorText error={scriptsError} what="Could not load the scripts" />
          <div className="field">
            <label htmlFor="new-script">Script</label>
            <select id="new-script" value={script} onChange={(e) => setPicked(e.target.value)}
              disabled={!usable.length} aria-describedby={broken.length ? brokenId : undefined}>
              {!usable.length && <option value="">No script is ready</option>}
              {(scripts || []).map((s) => (
                <option key={s.name} value={s.name} disabled={!s.ok}>
                  {s.ok ? s.name : `${s.name} (does not compile: ${s.error || 'unknown error'})`}
                </option>
              ))}
            </select>
          </div>
          {broken.length > 0 && (
            <div className="notice warn" id={brokenId} data-testid="broken-scripts">
              <p>{broken.length === 1 ? 'This script does not compile and cannot be used:' : 'These scripts do not compile and cannot be used:'}</p>
              <ul>
                {broken.map((s) => <li key={s.name}><strong>{s.name}</strong>: <code>{s.error || 'unknown error'}</code></li>)}
              </ul>
            </div>
          )}
          <div className="field">
            <label htmlFor="new-candidate">Candidate name</label>
            <input id="new-candidate" ref={candidateInput} value={candidate} maxLength={200} autoComplete="off"
              onChange={(e) => setCandidate(e.target.value)} aria-invalid={fieldError ? true : undefined}
              aria-describedby={fieldError ? fieldErrorId : undefined} />
            {fieldError && <p className="field-error" role="alert" id={fieldErrorId}>{fieldError}</p>}
          </div>
          <ErrorText error={error} what="Could not create the interview" />
          <div className="actions">
            <button type="submit" className="button primary" disabled={!script} aria-busy={busy || undefined}>
              {busy ? 'Creating…' : 'Create interview'}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
