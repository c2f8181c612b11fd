// Signing in and out: what the console sends, what a person sees when it fails or is rate limited, and
// a session that ends while the console is open.
import { afterEach, describe, expect, test } from 'vitest';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { apiError, reply } from './testing/mockServer.js';
import { ADMIN, mountConsole } from './testing/mountConsole.jsx';

afterEach(() => { window.history.replaceState(null, '', '/'); });

function fillAndSubmit(name, password) {
  fireEvent.change(screen.getByLabelText('Name'), { target: { value: name } });
  fireEvent.change(screen.getByLabelText('Password'), { target: { value: password } });
  fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
}

describe('sign-in', () => {
  test('signed out: the form shows; a wrong password is announced, then the right one opens the interviews', async () => {
    let attempts = 0;
    const { server } = mountConsole({
      me: null,
      routes: {
        'POST /api/v1/session': ({ body }) => {
          attempts += 1;
          return body.password === 'right' ? ADMIN : apiError(401, 'unauthorized', 'wrong name or password');
        },
      },
    });
    expect(await screen.findByRole('heading', { name: 'Sign in to the interview console' })).toBeTruthy();
    expect(document.activeElement).toBe(screen.getByLabelText('Name'));

    fillAndSubmit('alice', 'wrong');
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('Wrong name or password.'));
    expect(screen.getByLabelText('Password').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByLabelText('Password').getAttribute('aria-describedby')).toBe(screen.getByRole('alert').id);

    fillAndSubmit('alice', 'right');
    expect(await screen.findByRole('heading', { name: 'Interviews', level: 2 })).toBeTruthy();
    expect(screen.getByTestId('me').textContent).toContain('alice');
    expect(attempts).toBe(2);

    const [post] = server.to('POST', '/api/v1/session');
    expect(post.body).toEqual({ name: 'alice', password: 'wrong' });
    expect(post.init.credentials).toBe('same-origin');
    expect(post.init.headers['Content-Type']).toBe('application/json');
  });

  test('empty fields are refused before anything is sent', async () => {
    const { server } = mountConsole({ me: null });
    await screen.findByLabelText('Name');
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(screen.getByRole('alert').textContent).toBe('Enter your name.');
    expect(server.to('POST', '/api/v1/session')).toHaveLength(0);
  });

  test('429 says how long to wait, from Retry-After', async () => {
    mountConsole({
      me: null,
      routes: { 'POST /api/v1/session': apiError(429, 'rate_limited', 'too many attempts', { 'Retry-After': '120' }) },
    });
    await screen.findByLabelText('Name');
    fillAndSubmit('alice', 'guess');
    await waitFor(() => expect(screen.getByRole('alert').textContent)
      .toBe('Too many sign-in attempts. Try again in 2 minutes.'));
  });

  test('Sign out ends the session on the server and shows the form again', async () => {
    const { server } = mountConsole({ routes: { 'DELETE /api/v1/session': reply(204) } });
    fireEvent.click(await screen.findByRole('button', { name: 'Sign out' }));
    expect(await screen.findByRole('heading', { name: 'Sign in to the interview console' })).toBeTruthy();
    expect(screen.getByText('You are signed out.')).toBeTruthy();
    expect(server.to('DELETE', '/api/v1/session')).toHaveLength(1);
  });

  test('a session that ends while the console is open leads back to sign-in with a notice', async () => {
    mountConsole({ routes: { 'GET /api/v1/interviews': apiError(401, 'unauthorized', 'session expired') } });
    expect(await screen.findByText('Your session has ended. Sign in again.')).toBeTruthy();
    expect(screen.getByLabelText('Password')).toBeTruthy();
  });
});
