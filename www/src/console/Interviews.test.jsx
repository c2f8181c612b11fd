// The interviews table: rows as the API gives them, filters and search sent as query parameters, paging,
// and live status frames that change rows (and add new ones) without reloading the list; a changed row is read again alone.
import { afterEach, describe, expect, test } from 'vitest';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { ITEMS, mountConsole } from './testing/mountConsole.jsx';

afterEach(() => { window.history.replaceState(null, '', '/'); });

const rows = () => screen.queryAllByTestId('row');
const row = (id) => rows().find((r) => r.dataset.id === id);
const cell = (id, label) => row(id).querySelector(`[data-label="${label}"]`);
const listCalls = (server) => server.to('GET', '/api/v1/interviews');

describe('interviews table', () => {
  test('shows each interview: candidate (a link to it), status, script, messages, last activity, scores', async () => {
    const { server } = mountConsole();
    await waitFor(() => expect(rows()).toHaveLength(2));
    expect(rows().map((r) => r.dataset.id)).toEqual(['iv2', 'iv1']);
    const link = within(row('iv1')).getByRole('link', { name: 'Ada Lovelace' });
    expect(link.getAttribute('href')).toBe('#/interviews/iv1');
    expect(cell('iv1', 'Status').textContent).toBe('Finished');
    expect(cell('iv1', 'Script').textContent).toBe('demo');
    expect(cell('iv1', 'Messages').textContent).toBe('12');
    expect(cell('iv1', 'Scores').textContent).toBe('fit 4.5, total 12');
    const time = cell('iv1', 'Last activity').querySelector('time');
    expect(time.textContent).toBe('1 hour ago');
    expect(time.getAttribute('title')).toBe(new Date(ITEMS[1].updated).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }));
    expect(cell('iv2', 'Scores').textContent).toBe('—');
    expect(screen.getByTestId('summary').textContent).toBe('Showing 2 interviews.');
    expect(listCalls(server)[0].query).toEqual({ limit: '50' });
  });

  test('status and script filters and the candidate search go to the API, and the address keeps them', async () => {
    const { server } = mountConsole();
    await waitFor(() => expect(rows()).toHaveLength(2));

    fireEvent.change(screen.getByLabelText('Status'), { target: { value: 'finished' } });
    await waitFor(() => expect(rows().map((r) => r.dataset.id)).toEqual(['iv1']));
    expect(listCalls(server).at(-1).query).toEqual({ status: 'finished', limit: '50' });

    fireEvent.change(screen.getByLabelText('Status'), { target: { value: '' } });
    await waitFor(() => expect(screen.getByRole('option', { name: 'demo' })).toBeTruthy());
    fireEvent.change(screen.getByLabelText('Script'), { target: { value: 'demo' } });
    await waitFor(() => expect(listCalls(server).at(-1).query).toEqual({ script: 'demo', limit: '50' }));
    expect(screen.getByRole('link', { name: 'CSV' }).getAttribute('href')).toBe('/api/v1/export.csv?script=demo');

    fireEvent.change(screen.getByLabelText('Candidate'), { target: { value: 'grace' } });
    await waitFor(() => expect(rows().map((r) => r.dataset.id)).toEqual(['iv2']));
    expect(listCalls(server).at(-1).query).toEqual({ script: 'demo', q: 'grace', limit: '50' });
    expect(window.location.hash).toBe('#/?script=demo&q=grace');

    fireEvent.change(screen.getByLabelText('Candidate'), { target: { value: 'nobody' } });
    await waitFor(() => expect(screen.getByTestId('summary').textContent).toBe('No interviews match these filters.'));
  });

  test('Load more asks for the next page with the cursor, appends it and focuses its first row', async () => {
    const { server } = mountConsole({
      routes: {
        'GET /api/v1/interviews': ({ query }) => (query.cursor === 'c2'
          ? { interviews: [{ ...ITEMS[1], id: 'iv0', candidate: 'Edsger Dijkstra' }], next_cursor: null }
          : { interviews: ITEMS, next_cursor: 'c2' }),
      },
    });
    await waitFor(() => expect(rows()).toHaveLength(2));
    expect(screen.getByTestId('summary').textContent).toBe('Showing 2 interviews; more are available.');
    fireEvent.click(screen.getByRole('button', { name: 'Load more' }));
    await waitFor(() => expect(rows().map((r) => r.dataset.id)).toEqual(['iv2', 'iv1', 'iv0']));
    expect(listCalls(server).at(-1).query).toEqual({ limit: '50', cursor: 'c2' });
    expect(screen.queryByRole('button', { name: 'Load more' })).toBe(null);
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('link', { name: 'Edsger Dijkstra' })));
  });

  test('a live status frame updates its row and a created frame adds one, without a refetch', async () => {
    const { server, sockets } = mountConsole();
    await waitFor(() => expect(rows()).toHaveLength(2));
    const ws = await waitFor(() => { const w = sockets.last(); expect(w).toBeTruthy(); return w; });
    expect(ws.url).toBe('ws://localhost:3000/v1/watch?all=1');
    act(() => ws.open());
    expect(screen.getByTestId('live').dataset.state).toBe('live');
    const fetched = listCalls(server).length;

    act(() => ws.receive({ type: 'status', interview_id: 'iv2', message: '', event: 'finished', status: 'finished', script: 'demo', candidate: 'Grace Hopper' }));
    expect(cell('iv2', 'Status').textContent).toBe('Finished');
    expect(cell('iv2', 'Last activity').textContent).toBe('just now');
    expect(screen.getByTestId('announcer').textContent).toBe('Grace Hopper: finished');

    act(() => ws.receive({ type: 'status', interview_id: 'iv3', message: '', event: 'created', status: 'new', script: 'demo', candidate: 'Linus' }));
    expect(rows().map((r) => r.dataset.id)).toEqual(['iv3', 'iv2', 'iv1']);
    expect(cell('iv3', 'Status').textContent).toBe('Not started');

    act(() => ws.receive({ type: 'status', interview_id: 'iv1', message: '', event: 'script_error', status: 'finished', script: 'demo', candidate: 'Ada Lovelace' }));
    expect(cell('iv1', 'Status').textContent).toContain('Script error');

    act(() => ws.receive({ type: 'status', interview_id: 'iv1', message: '', event: 'erased', status: 'closed', script: 'demo', candidate: 'Ada Lovelace' }));
    expect(row('iv1')).toBeUndefined();
    expect(listCalls(server)).toHaveLength(fetched);
  });

  test('a status frame for a shown row re-reads that interview: its message count and scores follow', async () => {
    const { sockets } = mountConsole({
      routes: { 'GET /api/v1/interviews/iv2': { ...ITEMS[0], status: 'finished', messages: 15, scores: { fit: 5 }, tags: ['senior'] } },
    });
    await waitFor(() => expect(rows()).toHaveLength(2));
    const ws = await waitFor(() => { const w = sockets.last(); expect(w).toBeTruthy(); return w; });
    act(() => ws.open());
    expect(cell('iv2', 'Messages').textContent).toBe('5');
    act(() => ws.receive({ type: 'status', interview_id: 'iv2', message: '', event: 'finished', status: 'finished', script: 'demo', candidate: 'Grace Hopper' }));
    await waitFor(() => expect(cell('iv2', 'Messages').textContent).toBe('15'));
  });

  test('without the socket the table still works: it says so, Refresh reloads, and a reconnect reloads', async () => {
    const { server, sockets } = mountConsole();
    await waitFor(() => expect(rows()).toHaveLength(2));
    const first = await waitFor(() => { const w = sockets.last(); expect(w).toBeTruthy(); return w; });
    act(() => first.open());
    act(() => first.drop());
    expect(screen.getByTestId('live').dataset.state).toBe('retrying');
    expect(screen.getByTestId('live').textContent).toContain('reconnecting');

    const before = listCalls(server).length;
    fireEvent.click(screen.getByRole('button', { name: 'Refresh' }));
    await waitFor(() => expect(listCalls(server)).toHaveLength(before + 1));

    fireEvent.click(screen.getByRole('button', { name: 'Reconnect now' }));
    expect(document.activeElement).toBe(screen.getByRole('button', { name: /Refresh/ }));
    expect(sockets.sockets).toHaveLength(2);
    act(() => sockets.last().open());
    // Frames may have been missed while it was down: the list is read again.
    await waitFor(() => expect(listCalls(server)).toHaveLength(before + 2));
  });
});
