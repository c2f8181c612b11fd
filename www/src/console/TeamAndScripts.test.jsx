// Admin-only parts (users and API keys: generated secrets shown once, removal asked first) hidden from
// interviewers, and the scripts page: export links and the per-script summary with drop-off counts.
import { afterEach, describe, expect, test } from 'vitest';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { reply } from './testing/mockServer.js';
import { INTERVIEWER, mountConsole, NOW } from './testing/mountConsole.jsx';

afterEach(() => { window.history.replaceState(null, '', '/'); });

const USERS = [
  { name: 'alice', role: 'admin', created: NOW - 86400000 },
  { name: 'carol', role: 'interviewer', created: NOW - 3600000 },
];
const KEYS = [{ label: 'ci', role: 'interviewer', created: NOW - 60000 }];

describe('team (admins)', () => {
  test('interviewers see no Team link, and the team page refuses them without asking the API', async () => {
    // Opened at #/team directly (a bookmarked address): the nav has no Team link and the page refuses.
    const { server } = mountConsole({ me: INTERVIEWER, hash: '#/team' });
    expect(await screen.findByText('Only admins can manage users and API keys.')).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'Team' })).toBe(null);
    expect(server.to('GET', '/api/v1/users')).toHaveLength(0);
    expect(server.to('GET', '/api/v1/apikeys')).toHaveLength(0);
  });

  test('adding a user shows the generated password once, with Copy; removing one asks first', async () => {
    let users = USERS;
    const { server } = mountConsole({
      hash: '#/team',
      routes: {
        'GET /api/v1/users': () => users,
        'GET /api/v1/apikeys': KEYS,
        'POST /api/v1/users': ({ body }) => {
          users = [...users, { name: body.name, role: body.role, created: NOW }];
          return reply(201, { name: body.name, role: body.role, password: 'Gen3rated-Secret' });
        },
        'DELETE /api/v1/users/carol': () => { users = users.filter((u) => u.name !== 'carol'); return reply(204); },
      },
    });
    const section = await screen.findByTestId('team-users');
    await waitFor(() => expect(within(section).getAllByTestId('account-row')).toHaveLength(2));
    // Nobody removes themselves by accident.
    expect(within(section).queryByRole('button', { name: 'Remove user alice' })).toBe(null);

    fireEvent.change(within(section).getByLabelText('Name'), { target: { value: 'bob' } });
    fireEvent.click(within(section).getByRole('button', { name: 'Add user' }));
    const password = await within(section).findByLabelText('Password for bob');
    expect(password.value).toBe('Gen3rated-Secret');
    expect(server.to('POST', '/api/v1/users')[0].body).toEqual({ name: 'bob', role: 'interviewer' });
    await waitFor(() => expect(within(section).getAllByTestId('account-row')).toHaveLength(3));

    fireEvent.click(within(section).getByRole('button', { name: 'Remove user carol' }));
    const dialog = screen.getByRole('dialog', { name: 'Remove user carol?' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Remove' }));
    await waitFor(() => expect(within(section).getAllByTestId('account-row')).toHaveLength(2));
    expect(server.to('DELETE', '/api/v1/users/carol')).toHaveLength(1);
  });

  test('a name the server would refuse is caught in the form', async () => {
    const { server } = mountConsole({ hash: '#/team', routes: { 'GET /api/v1/users': USERS, 'GET /api/v1/apikeys': KEYS } });
    const section = await screen.findByTestId('team-users');
    fireEvent.change(within(section).getByLabelText('Name'), { target: { value: 'bob smith' } });
    fireEvent.click(within(section).getByRole('button', { name: 'Add user' }));
    expect(within(section).getByRole('alert').textContent).toBe('Name: 1 to 64 letters, digits or . _ @ -');
    expect(server.to('POST', '/api/v1/users')).toHaveLength(0);
  });

  test('adding an API key shows the key once, with its role', async () => {
    const { server } = mountConsole({
      hash: '#/team',
      routes: {
        'GET /api/v1/users': USERS,
        'GET /api/v1/apikeys': KEYS,
        'POST /api/v1/apikeys': ({ body }) => reply(201, { label: body.label, role: body.role, key: 'ivk_0123456789' }),
      },
    });
    const section = await screen.findByTestId('team-keys');
    await waitFor(() => expect(within(section).getAllByTestId('account-row')).toHaveLength(1));
    fireEvent.change(within(section).getByLabelText('Label'), { target: { value: 'exporter' } });
    fireEvent.change(within(section).getByLabelText('Role'), { target: { value: 'admin' } });
    fireEvent.click(within(section).getByRole('button', { name: 'Add API key' }));
    expect((await within(section).findByLabelText('Key for exporter')).value).toBe('ivk_0123456789');
    expect(within(section).getByTestId('added-keys').textContent).toContain('exporter was added as admin.');
    expect(server.to('POST', '/api/v1/apikeys')[0].body).toEqual({ label: 'exporter', role: 'admin' });
  });
});

describe('scripts page', () => {
  test('each script has export links and a summary with drop-off counts, most first', async () => {
    const { server } = mountConsole({ hash: '#/scripts' });
    const cards = await screen.findAllByTestId('script-card');
    expect(cards).toHaveLength(2);
    const demo = cards[0];
    expect(within(demo).getByRole('link', { name: 'Export demo as CSV' }).getAttribute('href')).toBe('/api/v1/export.csv?script=demo');
    expect(within(demo).getByRole('link', { name: 'Export demo as JSON Lines' }).getAttribute('href')).toBe('/api/v1/export.jsonl?script=demo');
    await waitFor(() => expect(within(demo).getByTestId('counts').textContent).toBe('Not started2Started3Finished5Closed1'));
    const rows = within(within(demo).getByTestId('dropoff')).getAllByRole('row').slice(1);
    expect(rows.map((r) => r.textContent)).toEqual(['language2', 'years1']);
    expect(within(cards[1]).getByText('scripts/broken.lua:3: unexpected symbol near ")"')).toBeTruthy();
    expect(server.to('GET', '/api/v1/stats').map((c) => c.query.script).sort()).toEqual(['broken', 'demo']);
  });
});
