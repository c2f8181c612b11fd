// A stand-in for the HTTP API in console tests: routes are "METHOD /path" -> a body, reply(...) or a
// function of the call returning either. Every call is recorded (method, path, query, body, init) so a
// test can assert what the console sent; an unknown route answers 404 in the contract's error shape.
import { vi } from 'vitest';

const REPLY = Symbol('reply');

export function reply(status, body, headers = {}) {
  return { [REPLY]: true, status, body, headers };
}

export const apiError = (status, code, message, headers) => reply(status, { error: { code, message } }, headers);

function response({ status, body, headers }) {
  const text = body === undefined || status === 204 ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  const h = new Map(Object.entries(headers || {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
  return {
    status,
    ok: status >= 200 && status < 300,
    headers: { get: (k) => h.get(k.toLowerCase()) ?? null },
    text: async () => text,
  };
}

export function mockServer(routes) {
  const calls = [];
  const fetchImpl = vi.fn(async (url, init = {}) => {
    const u = new URL(url, 'http://localhost:3000');
    const method = init.method || 'GET';
    const call = {
      method,
      path: u.pathname,
      query: Object.fromEntries(u.searchParams),
      body: init.body ? JSON.parse(init.body) : undefined,
      init,
    };
    calls.push(call);
    const route = routes[`${method} ${u.pathname}`];
    let r = typeof route === 'function' ? await route(call) : route;
    if (route === undefined) r = apiError(404, 'not_found', `no route for ${method} ${u.pathname}`);
    return response(r && r[REPLY] ? r : { status: 200, body: r });
  });
  const to = (method, path) => calls.filter((c) => c.method === method && c.path === path);
  return { fetchImpl, calls, routes, to };
}
