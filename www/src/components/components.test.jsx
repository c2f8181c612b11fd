import { afterEach, describe, expect, test, vi } from 'vitest';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { resize } from '../testing/ResizeObserverDouble.js';
import MessageList from './MessageList.jsx';
import ChoiceButtons from './ChoiceButtons.jsx';
import Composer from './Composer.jsx';
import ErrorNotice from './ErrorNotice.jsx';
import StatusBar from './StatusBar.jsx';

describe('MessageList', () => {
  test('renders bot and candidate bubbles in seq order, then pending ones marked as such', () => {
    render(<MessageList
      messages={[
        { seq: 3, role: 'bot', kind: 'ask', text: 'Which language?' },
        { seq: 1, role: 'candidate', kind: 'message', text: 'Hello' },
        { seq: 2, role: 'bot', kind: 'say', text: 'Hi Ada!' },
      ]}
      pending={[{ id: 'p', text: 'C', state: 'sent' }]}
    />);
    const items = within(screen.getByTestId('messages')).getAllByRole('listitem').filter((li) => li.dataset.testid);
    expect(items.map((li) => [li.dataset.testid, li.querySelector('.text').textContent])).toEqual([
      ['msg-candidate', 'Hello'], ['msg-bot', 'Hi Ada!'], ['msg-bot', 'Which language?'], ['msg-pending', 'C'],
    ]);
    expect(screen.getByText('Sending…')).toBeTruthy();
  });

  test('a refused answer shows "Not sent" with Retry, Edit and Discard; later ones say they are held', () => {
    const onRetry = vi.fn();
    const onDiscard = vi.fn();
    render(<MessageList messages={[]} onRetry={onRetry} onDiscard={onDiscard}
      pending={[{ id: 'a', text: 'boom', state: 'refused', code: 'script_error' }, { id: 'b', text: 'next', state: 'queued' }]} />);
    const [refused, held] = screen.getAllByTestId('msg-pending');
    expect(refused.textContent).toMatch(/Not sent/);
    expect(held.textContent).toMatch(/Held until you retry, edit or discard the answer above/);
    fireEvent.click(within(refused).getByRole('button', { name: 'Retry' }));
    expect(onRetry).toHaveBeenCalledWith('a');
    fireEvent.click(within(refused).getByRole('button', { name: 'Discard' }));
    expect(onDiscard).toHaveBeenCalledWith('a');
    expect(within(refused).getByRole('button', { name: 'Edit' })).toBeTruthy();
  });

  test('Edit focuses the edit box; Cancel hands focus back to Edit, not to <body>', () => {
    render(<MessageList messages={[]} pending={[{ id: 'a', text: 'boom', state: 'refused', code: 'too_large' }]} />);
    fireEvent.click(screen.getByRole('button', { name: 'Edit' }));
    expect(document.activeElement).toBe(screen.getByLabelText('Edit your answer'));
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Edit' }));
  });
});

// jsdom does not scroll: give the page a height, a viewport and a position, and record where it is sent.
function fakeScrolling({ scrollHeight = 2000, clientHeight = 600, scrollTop = 1400 } = {}) {
  const root = document.documentElement;
  const at = { scrollHeight, clientHeight, scrollTop };
  for (const k of Object.keys(at)) Object.defineProperty(root, k, { configurable: true, get: () => at[k] });
  root.scrollTo = vi.fn();
  return { at, scrollTo: root.scrollTo };
}

describe('MessageList keeps the newest message in view', () => {
  const said = [{ seq: 1, role: 'bot', kind: 'ask', text: 'Which language?' }];
  afterEach(() => {
    for (const k of ['scrollHeight', 'clientHeight', 'scrollTop', 'scrollTo']) delete document.documentElement[k];
  });

  test('a change in the page\'s height (choices, a notice, the end state appearing) scrolls to the end', () => {
    const page = fakeScrolling();
    render(<MessageList messages={said} />);
    page.scrollTo.mockClear();
    page.at.scrollHeight = 2300; // something below the list grew
    resize(document.body);
    expect(page.scrollTo).toHaveBeenCalledWith({ top: 2300 });
  });

  test('content that grew before a scroll event was handled still counts as being at the end', () => {
    const page = fakeScrolling(); // at the end: 1400 + 600 of 2000
    render(<MessageList messages={said} />);
    page.scrollTo.mockClear();
    page.at.scrollHeight = 2400; // a reply was laid out; the scroll event of the last follow comes after
    window.dispatchEvent(new Event('scroll'));
    resize(document.body);
    expect(page.scrollTo).toHaveBeenCalledWith({ top: 2400 });
  });

  test('a candidate who scrolled up to read stays put on a size change, but a new message still comes into view', () => {
    const page = fakeScrolling();
    const { rerender } = render(<MessageList messages={said} />);
    page.at.scrollTop = 200;
    window.dispatchEvent(new Event('scroll'));
    page.scrollTo.mockClear();
    resize(document.body);
    window.dispatchEvent(new Event('resize'));
    expect(page.scrollTo).not.toHaveBeenCalled();
    rerender(<MessageList messages={[...said, { seq: 2, role: 'bot', kind: 'say', text: 'Take your time.' }]} />);
    expect(page.scrollTo).toHaveBeenCalledWith({ top: 2000 });
  });

  test('a shorter viewport (a phone\'s keyboard opening) follows the end', () => {
    const page = fakeScrolling();
    render(<MessageList messages={said} />);
    page.scrollTo.mockClear();
    page.at.clientHeight = 360;
    window.dispatchEvent(new Event('resize'));
    expect(page.scrollTo).toHaveBeenCalledWith({ top: 2000 });
  });
});

describe('ChoiceButtons', () => {
  test('each option is a focusable button that sends its own text', () => {
    const onChoose = vi.fn();
    render(<ChoiceButtons choices={['C', 'Python', 'JavaScript', 'Other']} onChoose={onChoose} />);
    const buttons = screen.getAllByRole('button');
    expect(buttons.map((b) => b.textContent)).toEqual(['C', 'Python', 'JavaScript', 'Other']);
    for (const b of buttons) { b.focus(); expect(document.activeElement).toBe(b); expect(b.tabIndex).toBe(0); }
    fireEvent.click(screen.getByRole('button', { name: 'Python' }));
    expect(onChoose).toHaveBeenCalledWith('Python');
  });

  test('an option offered twice gives two working buttons, also when the options change', () => {
    const complaints = vi.spyOn(console, 'error').mockImplementation(() => {});
    const onChoose = vi.fn();
    const { rerender } = render(<ChoiceButtons choices={['Yes', 'Yes', 'No']} onChoose={onChoose} />);
    expect(screen.getAllByRole('button').map((b) => b.textContent)).toEqual(['Yes', 'Yes', 'No']);
    fireEvent.click(screen.getAllByRole('button')[1]);
    expect(onChoose).toHaveBeenCalledTimes(1);
    expect(onChoose).toHaveBeenCalledWith('Yes');
    rerender(<ChoiceButtons choices={['No', 'Yes', 'Yes', 'Maybe']} onChoose={onChoose} />);
    expect(screen.getAllByRole('button').map((b) => b.textContent)).toEqual(['No', 'Yes', 'Yes', 'Maybe']);
    expect(complaints).not.toHaveBeenCalled(); // React names duplicate keys here
    complaints.mockRestore();
  });

  test('renders nothing without choices', () => {
    const { container } = render(<ChoiceButtons choices={null} onChoose={() => {}} />);
    expect(container.innerHTML).toBe('');
  });
});

describe('Composer', () => {
  test('Enter sends, Shift+Enter does not, and the box is labelled', () => {
    const onSend = vi.fn();
    render(<Composer onSend={onSend} />);
    const box = screen.getByLabelText('Your answer');
    fireEvent.change(box, { target: { value: 'line one' } });
    fireEvent.keyDown(box, { key: 'Enter', shiftKey: true });
    expect(onSend).not.toHaveBeenCalled();
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(onSend).toHaveBeenCalledWith('line one');
    expect(box.value).toBe('');
  });

  test('re-rendering never overwrites what the candidate is typing', () => {
    const { rerender } = render(<Composer onSend={() => {}} />);
    fireEvent.change(screen.getByLabelText('Your answer'), { target: { value: 'half an answer' } });
    rerender(<Composer onSend={() => {}} loadDraft={() => 'something else'} />);
    expect(screen.getByLabelText('Your answer').value).toBe('half an answer');
  });

  test('starts from the kept draft and reports every change of it, sending included', () => {
    const onDraft = vi.fn();
    const onSend = vi.fn();
    render(<Composer onSend={onSend} loadDraft={() => 'typed before the reload'} onDraft={onDraft} />);
    const box = screen.getByLabelText('Your answer');
    expect(box.value).toBe('typed before the reload');
    fireEvent.change(box, { target: { value: 'typed before the reload, and more' } });
    expect(onDraft).toHaveBeenLastCalledWith('typed before the reload, and more');
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(onSend).toHaveBeenCalledWith('typed before the reload, and more');
    expect(onDraft).toHaveBeenLastCalledWith('');
  });
});

describe('ErrorNotice', () => {
  test('is an alert with a friendly sentence for known codes', () => {
    render(<ErrorNotice error={{ code: 'rate_limited', message: 'slow down' }} />);
    expect(screen.getByRole('alert').textContent).toMatch(/wait a moment/);
  });
});

describe('StatusBar', () => {
  test('shows the connection state and a countdown while reconnecting', () => {
    render(<StatusBar conn="reconnecting" retryAt={Date.now() + 4000} onRetry={() => {}} />);
    expect(screen.getByTestId('status').dataset.state).toBe('reconnecting');
    expect(screen.getByText(/Reconnecting/)).toBeTruthy();
    expect(screen.getByText(/next try in \d s/)).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Try now' })).toBeTruthy();
  });

  test('each wait counts down from its own start, not from where an earlier one stopped', () => {
    vi.useFakeTimers();
    try {
      const { rerender } = render(<StatusBar conn="reconnecting" retryAt={Date.now() + 4000} onRetry={() => {}} />);
      act(() => { vi.advanceTimersByTime(1000); });
      expect(screen.getByText('next try in 3 s')).toBeTruthy();
      rerender(<StatusBar conn="connected" retryAt={null} />);
      act(() => { vi.advanceTimersByTime(60000); });
      rerender(<StatusBar conn="reconnecting" retryAt={Date.now() + 2000} onRetry={() => {}} />);
      expect(screen.getByText('next try in 2 s')).toBeTruthy();
      act(() => { vi.advanceTimersByTime(2000); });
      expect(screen.queryByText(/next try in/)).toBe(null);
      expect(screen.queryByRole('button', { name: 'Try now' })).toBe(null);
    } finally {
      vi.useRealTimers();
    }
  });

  test('when a focused "Try now" goes away, focus moves to the connection state, not to <body>', () => {
    const { rerender } = render(<StatusBar conn="reconnecting" retryAt={Date.now() + 4000} onRetry={() => {}} />);
    screen.getByRole('button', { name: 'Try now' }).focus();
    rerender(<StatusBar conn="reconnecting" retryAt={null} onRetry={() => {}} />);
    expect(screen.queryByRole('button', { name: 'Try now' })).toBe(null);
    expect(document.activeElement).toBe(screen.getByRole('status'));
  });
});
