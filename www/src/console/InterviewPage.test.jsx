// One interview: the transcript under its section headings, the results beside it, turns arriving
// live, and the actions (close, new link, Markdown, erase) with their confirmations and failures.
import { afterEach, describe, expect, test } from 'vitest';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { apiError, reply } from './testing/mockServer.js';
import { DETAIL, INTERVIEWER, mountConsole, NOW } from './testing/mountConsole.jsx';

afterEach(() => { window.history.replaceState(null, '', '/'); });

const turns = () => screen.queryAllByTestId('turn');
const OPEN = { ...DETAIL, status: 'active' };

async function openPage(options = {}) {
  const m = mountConsole({ hash: '#/interviews/iv1', ...options });
  await screen.findByRole('heading', { name: 'Ada Lovelace', level: 2 });
  return m;
}

describe('interview page', () => {
  test('shows the transcript as a conversation under section headings, and the results beside it', async () => {
    await openPage();
    const transcript = screen.getByTestId('transcript');
    expect(within(transcript).getAllByRole('heading', { level: 4 }).map((h) => h.textContent)).toEqual(['Introduction', 'Experience']);
    expect(turns().map((t) => t.dataset.seq)).toEqual(['1', '2', '3', '4']);
    expect(turns()[1].textContent).toContain('Ada Lovelace');
    expect(turns()[2].textContent).toContain('Options offered: C · Python');

    const results = screen.getByTestId('results');
    expect(within(results).getByTestId('scores').textContent).toBe('fit4.5total12');
    expect([...within(results).getByTestId('answers').querySelectorAll('dt')].map((d) => d.textContent)).toEqual(['language', 'years']);
    expect(within(results).getByTestId('notes').textContent).toBe('Strong systems background');
    expect(within(results).getByTestId('tags').textContent).toBe('senior');
    const error = within(results).getByTestId('script-error');
    expect(error.textContent).toContain('scripts/demo.lua:40: attempt to index a nil value');
    expect(error.querySelector('pre').textContent).toBe(DETAIL.last_traceback);

    const md = screen.getByRole('link', { name: 'Download Markdown' });
    expect(md.getAttribute('href')).toBe('/api/v1/interviews/iv1/transcript.md');
    expect(md.hasAttribute('download')).toBe(true);
    // Finished: nothing to close, and its link no longer matters.
    expect(screen.queryByRole('button', { name: 'Close interview' })).toBe(null);
  });

  test('watches from the next seq and appends a live turn as it arrives', async () => {
    const { sockets } = await openPage({ routes: { 'GET /api/v1/interviews/iv1': OPEN } });
    // The socket opens in an effect after the page renders: wait for it rather than assume it.
    const ws = await waitFor(() => {
      const last = sockets.last();
      expect(last?.url).toBe('ws://localhost:3000/v1/watch?interview=iv1&from=5');
      return last;
    });
    act(() => ws.open());
    act(() => ws.receive({ type: 'turns', interview_id: 'iv1', message: '', status: 'active', messages: [
      { seq: 5, role: 'bot', kind: 'ask', text: 'How many years?', ts: NOW, section: 'Experience' },
      { seq: 6, role: 'candidate', kind: 'message', text: 'Twelve', ts: NOW },
    ] }));
    expect(turns().map((t) => t.dataset.seq)).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(turns()[5].textContent).toContain('Twelve');
    expect(screen.getByTestId('announcer').textContent).toBe('Ada Lovelace: Twelve');
    // A frame repeated after a reconnect adds nothing.
    act(() => ws.receive({ type: 'turns', interview_id: 'iv1', message: '', status: 'active', messages: [
      { seq: 6, role: 'candidate', kind: 'message', text: 'Twelve', ts: NOW },
    ] }));
    expect(turns()).toHaveLength(6);
    // A reconnect resumes after the last seq seen.
    act(() => ws.drop());
    fireEvent.click(screen.getByRole('button', { name: 'Reconnect now' }));
    await waitFor(() => expect(sockets.last()?.url).toBe('ws://localhost:3000/v1/watch?interview=iv1&from=7'));
  });

  test('Close asks first, then closes: the status shows closed and focus returns to the page', async () => {
    const { server } = await openPage({
      routes: {
        'GET /api/v1/interviews/iv1': OPEN,
        'POST /api/v1/interviews/iv1/close': { ...OPEN, status: 'closed' },
      },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Close interview' }));
    const dialog = screen.getByRole('dialog', { name: 'Close this interview?' });
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Cancel' }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Close interview' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBe(null));
    expect(screen.getByTestId('status-badge').textContent).toBe('Closed');
    expect(screen.queryByRole('button', { name: 'Close interview' })).toBe(null);
    expect(document.activeElement).toBe(screen.getByRole('heading', { name: 'Ada Lovelace', level: 2 }));
    const [post] = server.to('POST', '/api/v1/interviews/iv1/close');
    expect(post.init.headers['Content-Type']).toBe('application/json');
  });

  test('a refused close is shown in the dialog, which stays open', async () => {
    await openPage({
      routes: {
        'GET /api/v1/interviews/iv1': OPEN,
        'POST /api/v1/interviews/iv1/close': apiError(409, 'conflict', 'the interview has already finished'),
      },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Close interview' }));
    fireEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Close interview' }));
    await waitFor(() => expect(within(screen.getByRole('dialog')).getByRole('alert').textContent)
      .toBe('the interview has already finished'));
  });

  test('Escape closes a dialog and focus returns to the button that opened it; Tab stays inside', async () => {
    await openPage({ routes: { 'GET /api/v1/interviews/iv1': OPEN } });
    const opener = screen.getByRole('button', { name: 'New link' });
    opener.focus();
    fireEvent.click(opener);
    const dialog = screen.getByRole('dialog', { name: 'Make a new candidate link?' });
    const [cancel, confirm] = within(dialog).getAllByRole('button');
    confirm.focus();
    fireEvent.keyDown(confirm, { key: 'Tab' });
    expect(document.activeElement).toBe(cancel);
    fireEvent.keyDown(cancel, { key: 'Tab', shiftKey: true });
    expect(document.activeElement).toBe(confirm);
    fireEvent.keyDown(confirm, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBe(null);
    expect(document.activeElement).toBe(opener);
  });

  test('New link shows the new link with a Copy button', async () => {
    const { server } = await openPage({
      routes: {
        'GET /api/v1/interviews/iv1': OPEN,
        'POST /api/v1/interviews/iv1/link': { id: 'iv1', token: 'new', url: 'http://localhost:8080/?interview=iv1&token=new' },
      },
    });
    fireEvent.click(screen.getByRole('button', { name: 'New link' }));
    fireEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Make a new link' }));
    expect((await screen.findByLabelText('New candidate link')).value).toBe('http://localhost:8080/?interview=iv1&token=new');
    expect(within(screen.getByTestId('new-link')).getByRole('button', { name: 'Copy' })).toBeTruthy();
    expect(server.to('POST', '/api/v1/interviews/iv1/link')).toHaveLength(1);
  });

  test('Erase needs the candidate name typed, then erases and returns to the list saying so', async () => {
    const { server } = await openPage({ routes: { 'DELETE /api/v1/interviews/iv1': reply(204) } });
    fireEvent.click(screen.getByRole('button', { name: 'Erase' }));
    const dialog = screen.getByRole('dialog', { name: 'Erase this interview?' });
    const typed = within(dialog).getByLabelText('Type Ada Lovelace to confirm');
    expect(document.activeElement).toBe(typed);
    const erase = within(dialog).getByRole('button', { name: 'Erase permanently' });
    expect(erase.disabled).toBe(true);
    fireEvent.change(typed, { target: { value: 'Ada' } });
    expect(erase.disabled).toBe(true);
    fireEvent.click(erase);
    expect(server.to('DELETE', '/api/v1/interviews/iv1')).toHaveLength(0);
    fireEvent.change(typed, { target: { value: 'Ada Lovelace' } });
    expect(erase.disabled).toBe(false);
    fireEvent.click(erase);
    expect(await screen.findByText('The interview with Ada Lovelace was erased.')).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Interviews', level: 2 })).toBeTruthy();
    expect(server.to('DELETE', '/api/v1/interviews/iv1')).toHaveLength(1);
  });

  test('interviewers do not get Erase', async () => {
    await openPage({ me: INTERVIEWER });
    expect(screen.queryByRole('button', { name: 'Erase' })).toBe(null);
    expect(screen.getByRole('link', { name: 'Download Markdown' })).toBeTruthy();
  });

  test('an interview that does not exist says so', async () => {
    mountConsole({ hash: '#/interviews/nope', routes: { 'GET /api/v1/interviews/nope': apiError(404, 'not_found', 'no such interview') } });
    expect(await screen.findByRole('heading', { name: 'Interview not found' })).toBeTruthy();
  });
});
