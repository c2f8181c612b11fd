// The console's only way to the server: every HTTP call it makes, in one place. Requests are
// same-origin with the session cookie; changes send JSON (the server also checks the Origin header,
// which the browser adds). Failures become an ApiError carrying the contract's error code, the
// server's message and, for 429, how long to wait.
export const API = '/api/v1';

export class ApiError extends Error {
  constructor(status, code, message, retryAfter = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter; // seconds, or null
  }
}

// What to say when the server gives no message of its own.
const FALLBACK = {
  400: 'The server did not accept that request.',
  401: 'You are not signed in.',
  403: 'You do not have permission to do that.',
  404: 'That was not found. It may have been erased.',
  409: 'That cannot be done in the current state.',
  413: 'That is too large to send.',
  429: 'Too many attempts. Please wait and try again.',
  503: 'The server is busy or restarting. Try again in a moment.',
};

// Retry-After is either a number of seconds or an HTTP date; null if absent or unreadable.
export function parseRetryAfter(value, now = Date.now()) {
  if (value == null || value === '') return null;
  const text = String(value).trim();
  if (/^\d+$/.test(text)) return Number(text);
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

// "30 seconds", "1 minute", "15 minutes", "2 hours": how long a wait is, rounded up.
export function formatWait(seconds) {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return `${s} second${s === 1 ? '' : 's'}`;
  const m = Math.ceil(s / 60);
  if (m < 60) return `${m} minute${m === 1 ? '' : 's'}`;
  const h = Math.ceil(m / 60);
  return `${h} hour${h === 1 ? '' : 's'}`;
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

const seg = (s) => encodeURIComponent(s);

export const exportUrl = (script, format) => `${API}/export.${format}${query({ script })}`;
export const transcriptUrl = (id) => `${API}/interviews/${seg(id)}/transcript.md`;

// onUnauthorized runs when a signed-in call answers 401 (the session ended or the user was removed);
// signing in and asking who we are answer 401 as a matter of course and do not trigger it.
export function createApi(fetchImpl, { onUnauthorized } = {}) {
  const doFetch = fetchImpl || ((url, init) => window.fetch(url, init));

  async function request(method, path, body, { quiet401 = false } = {}) {
    const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await doFetch(path, init);
    } catch {
      throw new ApiError(0, 'network', 'Could not reach the server. Check your connection and try again.');
    }
    let data = null;
    if (res.status !== 204) {
      const text = await res.text();
      try { data = text ? JSON.parse(text) : null; } catch { data = null; }
    }
    if (res.status >= 200 && res.status < 300) return data;
    const err = data && typeof data === 'object' ? data.error : null;
    const retryAfter = res.status === 429 ? parseRetryAfter(res.headers?.get?.('Retry-After')) : null;
    const e = new ApiError(res.status, err?.code || `http_${res.status}`,
      err?.message || FALLBACK[res.status] || `The server answered ${res.status}.`, retryAfter);
    if (res.status === 401 && !quiet401) onUnauthorized?.(e);
    throw e;
  }

  // A change with nothing to say still sends a JSON body, so every change looks the same to the server.
  const post = (path, body = {}) => request('POST', path, body);

  return {
    me: () => request('GET', `${API}/me`, undefined, { quiet401: true }),
    signIn: (name, password) => request('POST', `${API}/session`, { name, password }, { quiet401: true }),
    signOut: () => request('DELETE', `${API}/session`, undefined, { quiet401: true }),
    scripts: () => request('GET', `${API}/scripts`),
    interviews: ({ status, script, q, limit, cursor } = {}) =>
      request('GET', `${API}/interviews${query({ status, script, q, limit, cursor })}`),
    interview: (id) => request('GET', `${API}/interviews/${seg(id)}`),
    createInterview: (script, candidate) => post(`${API}/interviews`, { script, candidate }),
    closeInterview: (id) => post(`${API}/interviews/${seg(id)}/close`),
    newLink: (id) => post(`${API}/interviews/${seg(id)}/link`),
    eraseInterview: (id) => request('DELETE', `${API}/interviews/${seg(id)}`),
    stats: (script) => request('GET', `${API}/stats${query({ script })}`),
    users: () => request('GET', `${API}/users`),
    addUser: (name, role) => post(`${API}/users`, { name, role }),
    removeUser: (name) => request('DELETE', `${API}/users/${seg(name)}`),
    apikeys: () => request('GET', `${API}/apikeys`),
    addApikey: (label, role) => post(`${API}/apikeys`, { label, role }),
    removeApikey: (label) => request('DELETE', `${API}/apikeys/${seg(label)}`),
  };
}
