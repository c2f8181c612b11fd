// How the console writes times, scores and statuses: short in tables, exact on demand (title).
const relative = typeof Intl !== 'undefined' && Intl.RelativeTimeFormat
  ? new Intl.RelativeTimeFormat('en', { numeric: 'auto' })
  : null;

// "just now", "5 minutes ago", "3 hours ago", "yesterday", then the date. ms: Unix milliseconds.
export function relativeTime(ms, now) {
  if (!Number.isFinite(ms) || ms <= 0) return '—';
  const secs = Math.round((now - ms) / 1000);
  if (secs < 45) return 'just now';
  const mins = Math.round(secs / 60);
  if (mins < 60) return relative ? relative.format(-mins, 'minute') : `${mins} min ago`;
  const hours = Math.round(mins / 60);
  if (hours < 24) return relative ? relative.format(-hours, 'hour') : `${hours} h ago`;
  const days = Math.round(hours / 24);
  if (days < 7) return relative ? relative.format(-days, 'day') : `${days} days ago`;
  return new Date(ms).toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
}

export function absoluteTime(ms) {
  if (!Number.isFinite(ms) || ms <= 0) return '';
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function isoTime(ms) {
  return Number.isFinite(ms) && ms > 0 ? new Date(ms).toISOString() : undefined;
}

// A score as people write it: up to two decimals, no trailing zeros; null (not a number) as a dash.
export function formatScore(v) {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '—';
  return String(Math.round(v * 100) / 100);
}

// "fit 4, total 12.5" for a table cell.
export function compactScores(scores) {
  const entries = Object.entries(scores || {});
  if (!entries.length) return '';
  return entries.map(([k, v]) => `${k} ${formatScore(v)}`).join(', ');
}

export const STATUSES = ['new', 'active', 'finished', 'closed'];

export const STATUS_LABEL = { new: 'Not started', active: 'In progress', finished: 'Finished', closed: 'Closed' };

// The number of messages: the API's count, or (older records) the next seq less one.
export function messageCount(item) {
  if (Number.isFinite(item?.messages)) return item.messages;
  if (Number.isFinite(item?.next_seq)) return Math.max(0, item.next_seq - 1);
  return 0;
}

// "14:05" for a message in a transcript (the full date and time go in its title).
export function clockTime(ms) {
  if (!Number.isFinite(ms) || ms <= 0) return '';
  return new Date(ms).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}
