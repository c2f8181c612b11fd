// The interviewer console: asks who is signed in (GET /api/v1/me), shows the sign-in form or the shell
// (header, navigation, sign out) around the page the address's hash names. Routes: #/ interviews,
// #/new, #/interviews/ID, #/scripts, #/team (admins). No router library: hashchange is enough.
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { createApi } from './api.js';
import { ConsoleContext, isAdmin } from './context.js';
import SignIn from './SignIn.jsx';
import Interviews from './Interviews.jsx';
import NewInterview from './NewInterview.jsx';
import InterviewPage from './InterviewPage.jsx';
import ScriptsPage from './ScriptsPage.jsx';
import TeamPage from './TeamPage.jsx';
import { ErrorText, focusPageHeading, PageHeading } from './ui.jsx';

export function parseRoute(hash) {
  const h = (hash || '').replace(/^#/, '');
  const [path, qs = ''] = h.split('?');
  const parts = path.split('/').filter(Boolean);
  if (parts.length === 0 || (parts.length === 1 && parts[0] === 'interviews')) {
    return { page: 'list', params: new URLSearchParams(qs) };
  }
  if (parts[0] === 'interviews' && parts.length === 2) {
    try {
      return { page: 'interview', id: decodeURIComponent(parts[1]) };
    } catch {
      return { page: 'missing' };
    }
  }
  if (parts.length === 1 && ['new', 'scripts', 'team'].includes(parts[0])) return { page: parts[0] };
  return { page: 'missing' };
}

const TITLES = { list: 'Interviews', new: 'New interview', interview: 'Interview', scripts: 'Scripts', team: 'Team', missing: 'Not found' };

// The hash as state. n counts navigations (0: the page as loaded); flash is a one-time notice for the
// page navigated to (e.g. "erased"), gone at the next navigation.
function useHashRoute() {
  const [route, setRoute] = useState(() => ({ hash: window.location.hash, n: 0, flash: null }));
  const pendingFlash = useRef(null);
  // A layout effect: subscribed in the same commit that shows the page, so a navigation made as soon as
  // the page is on screen (before passive effects run) is not lost.
  useLayoutEffect(() => {
    const onChange = () => {
      const flash = pendingFlash.current;
      pendingFlash.current = null;
      setRoute((r) => ({ hash: window.location.hash, n: r.n + 1, flash }));
    };
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  const navigate = useCallback((hash, flash = null) => {
    pendingFlash.current = flash;
    window.location.hash = hash;
  }, []);
  return { route, navigate };
}

function Page({ route }) {
  const r = parseRoute(route.hash);
  switch (r.page) {
    case 'list': return <Interviews params={r.params} />;
    case 'new': return <NewInterview />;
    case 'interview': return <InterviewPage key={r.id} id={r.id} />;
    case 'scripts': return <ScriptsPage />;
    case 'team': return <TeamPage />;
    default:
      return (
        <section className="page" aria-labelledby="page-heading">
          <PageHeading>Page not found</PageHeading>
          <p><a href="#/">Go to the interviews</a></p>
        </section>
      );
  }
}

function Shell({ me, route, onSignOut, signOutError }) {
  const page = parseRoute(route.hash).page;
  const links = [
    { href: '#/', label: 'Interviews', current: page === 'list' || page === 'interview' },
    { href: '#/new', label: 'New interview', current: page === 'new' },
    { href: '#/scripts', label: 'Scripts', current: page === 'scripts' },
    ...(isAdmin(me) ? [{ href: '#/team', label: 'Team', current: page === 'team' }] : []),
  ];
  const skip = (e) => {
    e.preventDefault();
    document.getElementById('main')?.focus();
  };
  return (
    <div className="console">
      <a className="skip" href="#main" onClick={skip}>Skip to content</a>
      <header className="bar">
        <h1 className="brand">Interview console</h1>
        <nav aria-label="Console">
          <ul>
            {links.map((l) => (
              <li key={l.href}><a href={l.href} aria-current={l.current ? 'page' : undefined}>{l.label}</a></li>
            ))}
          </ul>
        </nav>
        <div className="account">
          <span data-testid="me">{me.name} <span className="role">({me.role})</span></span>
          <button type="button" className="button small" onClick={onSignOut}>Sign out</button>
        </div>
      </header>
      <ErrorText error={signOutError} what="Could not sign out" />
      <main id="main" tabIndex={-1}>
        <Page route={route} />
      </main>
    </div>
  );
}

// fetchImpl, WebSocketImpl and clipboard are for tests; the page uses the browser's own.
export default function Console({ fetchImpl, WebSocketImpl, clipboard }) {
  const [session, setSession] = useState({ state: 'checking', me: null, notice: null });
  const [signOutError, setSignOutError] = useState(null);
  const { route, navigate } = useHashRoute();
  const api = useMemo(() => createApi(fetchImpl, {
    onUnauthorized: () => setSession({ state: 'out', me: null, notice: 'Your session has ended. Sign in again.' }),
  }), [fetchImpl]);

  useEffect(() => {
    let live = true;
    api.me().then(
      (me) => { if (live) setSession({ state: 'in', me, notice: null }); },
      (err) => {
        if (live) setSession({ state: 'out', me: null, notice: err.status === 401 ? null : `Could not check your session: ${err.message}` });
      },
    );
    return () => { live = false; };
  }, [api]);

  useEffect(() => {
    const page = parseRoute(route.hash).page;
    document.title = session.state === 'in' ? `${TITLES[page]} · Interview console` : 'Sign in · Interview console';
  }, [route.hash, session.state]);

  // After navigation, focus the new page's heading (not on first load: the browser starts at the top).
  useEffect(() => {
    if (route.n > 0) focusPageHeading();
  }, [route.n]);

  // Just signed in: the form is gone, so focus goes to the page's heading.
  useEffect(() => {
    if (session.signedIn) focusPageHeading();
  }, [session]);

  const signOut = async () => {
    setSignOutError(null);
    try {
      await api.signOut();
    } catch (err) {
      if (err.status !== 401) {
        setSignOutError(err);
        return;
      }
    }
    setSession({ state: 'out', me: null, notice: 'You are signed out.' });
  };

  const ctx = useMemo(() => ({
    api, me: session.me, WebSocketImpl, clipboard, navigate, flash: route.flash,
  }), [api, session.me, WebSocketImpl, clipboard, navigate, route.flash]);

  if (session.state === 'checking') return <p className="loading" role="status">Loading…</p>;
  if (session.state === 'out') {
    return <SignIn api={api} notice={session.notice} onSignedIn={(me) => setSession({ state: 'in', me, notice: null, signedIn: true })} />;
  }
  return (
    <ConsoleContext.Provider value={ctx}>
      <Shell me={session.me} route={route} onSignOut={signOut} signOutError={signOutError} />
    </ConsoleContext.Provider>
  );
}
