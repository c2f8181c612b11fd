// "New interview": scripts that do not compile cannot be picked and say why; creating one shows the
// candidate's link, which Copy puts on the clipboard (or selects, without a clipboard).
import { afterEach, describe, expect, test, vi } from 'vitest';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { apiError, reply } from './testing/mockServer.js';
import { mountConsole } from './testing/mountConsole.jsx';

afterEach(() => { window.history.replaceState(null, '', '/'); });

const URL_OUT = 'http://localhost:8080/?interview=iv9&token=tok9';
const created = reply(201, { interview_id: 'iv9', token: 'tok9', url: URL_OUT, script: 'demo', candidate: 'Ada Lovelace' });

async function createFor(name) {
  await waitFor(() => expect(screen.getByRole('option', { name: 'demo' })).toBeTruthy());
  fireEvent.change(screen.getByLabelText('Candidate name'), { target: { value: name } });
  fireEvent.click(screen.getByRole('button', { name: 'Create interview' }));
}

describe('new interview', () => {
  test('a script that fails to compile is a disabled option, and its error is shown', async () => {
    mountConsole({ hash: '#/new' });
    const broken = await screen.findByRole('option', { name: /broken/ });
    expect(broken.disabled).toBe(true);
    expect(broken.textContent).toContain('scripts/broken.lua:3: unexpected symbol near ")"');
    expect(screen.getByRole('option', { name: 'demo' }).disabled).toBe(false);
    expect(screen.getByLabelText('Script').value).toBe('demo');
    expect(screen.getByTestId('broken-scripts').textContent).toContain('broken: scripts/broken.lua:3');
    expect(screen.getByLabelText('Script').getAttribute('aria-describedby')).toBe(screen.getByTestId('broken-scripts').id);
  });

  test('creating one shows the link; Copy puts it on the clipboard', async () => {
    const clipboard = { writeText: vi.fn(async () => {}) };
    const { server } = mountConsole({ hash: '#/new', clipboard, routes: { 'POST /api/v1/interviews': created } });
    await createFor('  Ada Lovelace ');
    const link = await screen.findByLabelText('Candidate link');
    expect(link.value).toBe(URL_OUT);
    expect(document.activeElement).toBe(screen.getByRole('heading', { name: 'Interview created for Ada Lovelace' }));
    expect(server.to('POST', '/api/v1/interviews')[0].body).toEqual({ script: 'demo', candidate: 'Ada Lovelace' });
    expect(screen.getByRole('link', { name: 'Open the interview' }).getAttribute('href')).toBe('#/interviews/iv9');

    fireEvent.click(screen.getByRole('button', { name: 'Copy' }));
    await waitFor(() => expect(screen.getByText('Copied to the clipboard.')).toBeTruthy());
    expect(clipboard.writeText).toHaveBeenCalledWith(URL_OUT);

    fireEvent.click(screen.getByRole('button', { name: 'Create another' }));
    expect(document.activeElement).toBe(screen.getByLabelText('Candidate name'));
    expect(screen.getByLabelText('Candidate name').value).toBe('');
  });

  test('without a clipboard, Copy selects the link and says how to copy it', async () => {
    mountConsole({ hash: '#/new', clipboard: null, routes: { 'POST /api/v1/interviews': created } });
    await createFor('Ada Lovelace');
    const link = await screen.findByLabelText('Candidate link');
    fireEvent.click(screen.getByRole('button', { name: 'Copy' }));
    await waitFor(() => expect(screen.getByText(/Press Ctrl\+C/)).toBeTruthy());
    expect(document.activeElement).toBe(link);
    expect([link.selectionStart, link.selectionEnd]).toEqual([0, URL_OUT.length]);
  });

  test('a missing name is refused in place; a refusal from the server is shown', async () => {
    const { server } = mountConsole({
      hash: '#/new',
      routes: { 'POST /api/v1/interviews': apiError(400, 'bad_request', 'script: no such script') },
    });
    await createFor('   ');
    expect(screen.getByRole('alert').textContent).toBe("Enter the candidate's name.");
    expect(document.activeElement).toBe(screen.getByLabelText('Candidate name'));
    expect(server.to('POST', '/api/v1/interviews')).toHaveLength(0);

    await createFor('Ada');
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('Could not create the interview: script: no such script'));
  });
});
