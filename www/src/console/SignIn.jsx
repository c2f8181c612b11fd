// The sign-in form. Failures are announced and tied to the fields; after too many attempts the server
// answers 429 and the form says how long to wait (from Retry-After).
import { useId, useRef, useState } from 'react';
import { formatWait } from './api.js';

function failureText(err) {
  if (err.status === 401) return 'Wrong name or password.';
  if (err.status === 429) {
    return err.retryAfter != null
      ? `Too many sign-in attempts. Try again in ${formatWait(err.retryAfter)}.`
      : 'Too many sign-in attempts. Wait a while, then try again.';
  }
  return err.message;
}

export default function SignIn({ api, onSignedIn, notice }) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const errorId = useId();
  const nameInput = useRef(null);
  const passwordInput = useRef(null);

  const submit = async (e) => {
    e.preventDefault();
    if (busy) return;
    if (!name.trim() || !password) {
      setError(!name.trim() ? 'Enter your name.' : 'Enter your password.');
      (!name.trim() ? nameInput : passwordInput).current?.focus();
      return;
    }
    setBusy(true);
    setError('');
    try {
      const me = await api.signIn(name.trim(), password);
      onSignedIn(me);
    } catch (err) {
      setError(failureText(err));
      setBusy(false);
    }
  };

  const described = error ? errorId : undefined;
  return (
    <main className="signin" id="main">
      <form className="panel signin-form" onSubmit={submit} noValidate aria-labelledby="signin-title">
        <h1 id="signin-title">Sign in to the interview console</h1>
        {notice && <p className="notice warn" role="status">{notice}</p>}
        <div className="field">
          <label htmlFor="signin-name">Name</label>
          <input id="signin-name" ref={nameInput} name="username" autoComplete="username" autoCapitalize="none"
            spellCheck={false} autoFocus value={name} onChange={(e) => setName(e.target.value)}
            aria-invalid={error ? true : undefined} aria-describedby={described} />
        </div>
        <div className="field">
          <label htmlFor="signin-password">Password</label>
          <input id="signin-password" ref={passwordInput} name="password" type="password" autoComplete="current-password"
            value={password} onChange={(e) => setPassword(e.target.value)}
            aria-invalid={error ? true : undefined} aria-describedby={described} />
        </div>
        {/* Always in the page, so what is put into it is announced. */}
        <div className={error ? 'notice error' : 'alert-slot'} role="alert" id={errorId} data-testid="signin-error">{error}</div>
        <button type="submit" className="button primary" aria-busy={busy || undefined}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
