// Admins only: the team's accounts and API keys. Adding one shows its generated password or key once,
// with a Copy button (the server keeps only a hash); removing one asks first.
import { useEffect, useId, useRef, useState } from 'react';
import { isAdmin, useConsole } from './context.js';
import { ConfirmDialog, CopyField, ErrorText, PageHeading, Time, useNow } from './ui.jsx';

const NAME_RE = /^[A-Za-z0-9._@-]{1,64}$/;

const KINDS = {
  users: {
    title: 'Users', noun: 'user', field: 'name', fieldLabel: 'Name', secret: 'password', secretLabel: 'Password',
    list: (api) => api.users(), add: (api, id, role) => api.addUser(id, role), remove: (api, id) => api.removeUser(id),
    addLabel: 'Add user',
    secretNote: (id) => `Shown only this once. Give it to ${id} over a private channel; they sign in with it.`,
    removeText: (id) => `${id} is signed out at once and can no longer sign in.`,
  },
  keys: {
    title: 'API keys', noun: 'API key', field: 'label', fieldLabel: 'Label', secret: 'key', secretLabel: 'Key',
    list: (api) => api.apikeys(), add: (api, id, role) => api.addApikey(id, role), remove: (api, id) => api.removeApikey(id),
    addLabel: 'Add API key',
    secretNote: () => 'Shown only this once. Send it as "Authorization: Bearer KEY".',
    removeText: (id) => `Programs using the key ${id} stop working at once.`,
  },
};

function Accounts({ kind }) {
  const k = KINDS[kind];
  const { api, me } = useConsole();
  const now = useNow();
  const [reload, setReload] = useState(0);
  const [state, setState] = useState({ rows: null, error: null });
  const [id, setId] = useState('');
  const [role, setRole] = useState('interviewer');
  const [busy, setBusy] = useState(false);
  const [fieldError, setFieldError] = useState('');
  const [addError, setAddError] = useState(null);
  const [added, setAdded] = useState(null);
  const [removing, setRemoving] = useState(null);
  const idInput = useRef(null);
  const uid = useId();

  useEffect(() => {
    let live = true;
    k.list(api).then(
      (rows) => { if (live) setState({ rows: Array.isArray(rows) ? rows : [], error: null }); },
      (error) => { if (live) setState((s) => ({ rows: s.rows || [], error })); },
    );
    return () => { live = false; };
  }, [api, k, reload]);

  const add = async (e) => {
    e.preventDefault();
    if (busy) return;
    if (!NAME_RE.test(id)) {
      setFieldError(`${k.fieldLabel}: 1 to 64 letters, digits or . _ @ -`);
      idInput.current?.focus();
      return;
    }
    setFieldError('');
    setAddError(null);
    setBusy(true);
    try {
      const res = await k.add(api, id, role);
      setAdded({ ...res, id: res?.[k.field] || id });
      setId('');
      setReload((n) => n + 1);
    } catch (err) {
      setAddError(err);
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    await k.remove(api, removing);
    setRemoving(null);
    setReload((n) => n + 1);
  };

  const headingId = `${uid}-title`;
  const rows = state.rows || [];
  return (
    <section className="panel accounts" aria-labelledby={headingId} data-testid={`team-${kind}`}>
      <h3 id={headingId}>{k.title}</h3>
      <ErrorText error={state.error} what={`Could not load the ${k.title.toLowerCase()}`} />
      {state.rows === null && <p className="hint">Loading…</p>}
      {state.rows && rows.length === 0 && <p className="hint">None yet.</p>}
      {rows.length > 0 && (
        <table className="plain">
          <caption className="visually-hidden">{k.title}</caption>
          <thead><tr><th scope="col">{k.fieldLabel}</th><th scope="col">Role</th><th scope="col">Created</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
          <tbody>
            {rows.map((r) => {
              const rid = r[k.field];
              const self = kind === 'users' && rid === me?.name;
              return (
                <tr key={rid} data-testid="account-row">
                  <th scope="row" data-label={k.fieldLabel}>{rid}{self && <span className="hint"> (you)</span>}</th>
                  <td data-label="Role">{r.role}</td>
                  <td data-label="Created"><Time ms={r.created} now={now} /></td>
                  <td>
                    {!self && (
                      <button type="button" className="button small" onClick={() => setRemoving(rid)}
                        aria-label={`Remove ${k.noun} ${rid}`}>Remove</button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}

      {added && (
        <div className="secret" data-testid={`added-${kind}`}>
          <p role="status"><strong>{added.id}</strong> was added{added.role ? ` as ${added.role}` : ''}.</p>
          {added[k.secret] && <CopyField label={`${k.secretLabel} for ${added.id}`} value={added[k.secret]} note={k.secretNote(added.id)} />}
          <button type="button" className="button small" onClick={() => { setAdded(null); idInput.current?.focus(); }}>Done</button>
        </div>
      )}

      <form className="inline-form" onSubmit={add} noValidate aria-label={k.addLabel}>
        <div className="field">
          <label htmlFor={`${uid}-id`}>{k.fieldLabel}</label>
          <input id={`${uid}-id`} ref={idInput} value={id} autoComplete="off" spellCheck={false} maxLength={64}
            onChange={(e) => setId(e.target.value)} aria-invalid={fieldError ? true : undefined}
            aria-describedby={fieldError ? `${uid}-err` : undefined} />
        </div>
        <div className="field">
          <label htmlFor={`${uid}-role`}>Role</label>
          <select id={`${uid}-role`} value={role} onChange={(e) => setRole(e.target.value)}>
            <option value="interviewer">Interviewer</option>
            <option value="admin">Admin</option>
          </select>
        </div>
        <button type="submit" className="button primary" aria-busy={busy || undefined}>{busy ? 'Adding…' : k.addLabel}</button>
        {fieldError && <p className="field-error" role="alert" id={`${uid}-err`}>{fieldError}</p>}
      </form>
      <ErrorText error={addError} what={`Could not add the ${k.noun}`} />

      {removing && (
        <ConfirmDialog title={`Remove ${k.noun} ${removing}?`} confirmLabel="Remove" busyLabel="Removing…" danger
          onConfirm={remove} onClose={() => setRemoving(null)}>
          <p>{k.removeText(removing)}</p>
        </ConfirmDialog>
      )}
    </section>
  );
}

export default function TeamPage() {
  const { me } = useConsole();
  if (!isAdmin(me)) {
    return (
      <section className="page" aria-labelledby="page-heading">
        <PageHeading>Team</PageHeading>
        <p className="notice warn">Only admins can manage users and API keys.</p>
      </section>
    );
  }
  return (
    <section className="page" aria-labelledby="page-heading">
      <PageHeading>Team</PageHeading>
      <p className="hint">Interviewers create and read interviews. Admins also manage users and keys and can erase interviews.</p>
      <div className="cards two">
        <Accounts kind="users" />
        <Accounts kind="keys" />
      </div>
    </section>
  );
}
