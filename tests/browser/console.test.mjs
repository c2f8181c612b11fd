// The interviewer console (/console/) in Debian's Chromium against the real binary, API and watch socket:
// an interviewer signs in, creates a link, and follows a candidate (in a browser context of their own)
// answer by answer without reloading; closes an interview and the candidate's page ends; exports a CSV;
// does all of it with the keyboard alone; and a wrong password is said out loud and signs no one in.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { cli } from '../lib/server.mjs';
import { Q, assertFocusRing, browserSuite, pageTest, renderedContrast, typeAnswer, waitBot } from './helpers.mjs';

const suite = browserSuite();
const ADMIN = 'ada.admin';
const PASSWORD = 'correct horse battery staple';
const DESKTOP = { width: 1280, height: 800 };

// The account every test signs in with, added through the CLI once the suite's server is up (its
// data directory exists only then).
let admin = null;
function adminAccount() {
  admin ??= cli(['user', 'add', ADMIN, '--password-stdin', '--role', 'admin', '--data', suite.server.dataDir],
    { input: `${PASSWORD}\n` }).then((r) => assert.equal(r.code, 0, r.stderr));
  return admin;
}
const t = (name, fn, opts) => pageTest(() => suite.browser, name, async (...args) => {
  await adminAccount();
  return fn(...args);
}, opts);

const consoleUrl = (hash = '') => `${suite.server.http}/console/${hash}`;

async function signIn(page, hash = '') {
  await page.goto(consoleUrl(hash));
  await page.getByLabel('Name').fill(ADMIN);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('me').waitFor();
}

// The candidate's side: a browser context of its own (no console cookie), closed by the caller.
async function candidatePage(url) {
  const context = await suite.browser.newContext({ viewport: { width: 390, height: 780 } });
  const page = await context.newPage();
  page.setDefaultTimeout(20000);
  await page.goto(url);
  return { context, page };
}

async function startDemo(page) {
  await page.getByRole('button', { name: 'Start the interview' }).click();
  await waitBot(page, Q.language);
}

// Resolves once the console's transcript holds exactly these turns of `role`, in this order.
async function waitTurns(page, role, texts) {
  await page.waitForFunction(([cls, want]) => {
    const got = [...document.querySelectorAll(`[data-testid="turn"].${cls} .turn-text`)].map((e) => e.textContent);
    return JSON.stringify(got) === JSON.stringify(want);
  }, [role === 'candidate' ? 'from-candidate' : 'from-bot', texts]);
}

const badge = (page) => page.locator('.page-head [data-testid="status-badge"]');
const waitLive = (page) => page.locator('[data-testid="live"][data-state="live"]').waitFor();

// RFC 4180: quoted fields may hold commas, doubled quotes and newlines.
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

t('test_console_creates_a_link_and_shows_each_answer_live_without_a_reload', async (page) => {
  await page.setViewportSize(DESKTOP);
  await signIn(page);
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'New interview' }).click();
  await page.getByLabel('Script').selectOption('demo');
  await page.getByLabel('Candidate name').fill('Ada');
  await page.getByRole('button', { name: 'Create interview' }).click();
  const link = await page.getByLabel('Candidate link').inputValue();
  const url = new URL(link);
  assert.equal(url.origin, suite.server.http, 'the link is on the origin the console was reached at');
  const id = url.searchParams.get('interview');
  assert.match(id || '', /^[0-9a-f]{16}$/, `the link names the interview: ${link}`);
  assert.ok(url.searchParams.get('token'), `the link carries a token: ${link}`);

  // What the interview's watch socket brings: every answer must arrive there, in this same document.
  const watched = [];
  page.on('websocket', (ws) => {
    if (ws.url().includes('/v1/watch?interview=')) ws.on('framereceived', (f) => watched.push(String(f.payload)));
  });
  await page.evaluate(() => { window.__sameDocument = true; });
  await page.getByRole('link', { name: 'Open the interview' }).click();
  await page.getByRole('heading', { name: 'Ada', level: 2 }).waitFor();
  assert.equal(await badge(page).textContent(), 'Not started');
  await waitLive(page);

  const cand = await candidatePage(link);
  try {
    await startDemo(cand.page);
    await waitTurns(page, 'candidate', ["Hello, I'm ready to start."]);
    await waitTurns(page, 'bot', [await cand.page.getByTestId('msg-bot').first().locator('.text').textContent(), Q.language]);
    await badge(page).filter({ hasText: 'In progress' }).waitFor();

    await cand.page.getByRole('button', { name: 'Python', exact: true }).click();
    await waitTurns(page, 'candidate', ["Hello, I'm ready to start.", 'Python']);
    await page.locator('[data-testid="turn"].from-bot', { hasText: Q.years('Python') }).waitFor();

    await typeAnswer(cand.page, '7');
    await waitTurns(page, 'candidate', ["Hello, I'm ready to start.", 'Python', '7']);
    await page.locator('[data-testid="turn"].from-bot', { hasText: Q.proud }).waitFor();

    await typeAnswer(cand.page, 'A compiler for a tiny language');
    await waitTurns(page, 'candidate', ["Hello, I'm ready to start.", 'Python', '7', 'A compiler for a tiny language']);
    await page.locator('[data-testid="turn"].from-bot', { hasText: Q.end }).waitFor();
    await badge(page).filter({ hasText: 'Finished' }).waitFor();
    await cand.page.getByTestId('end-state').waitFor();

    // The results beside the transcript follow too: the answers by id and the score.
    await page.getByTestId('answers').filter({ hasText: 'Python' }).filter({ hasText: 'A compiler for a tiny language' }).waitFor();
    await page.getByTestId('scores').filter({ hasText: 'experience' }).waitFor();

    assert.equal(await page.evaluate(() => window.__sameDocument), true, 'the console page was never reloaded');
    for (const answer of ['"Python"', '"7"', '"A compiler for a tiny language"']) {
      assert.ok(watched.some((f) => f.includes(answer)), `the answer ${answer} came over the watch socket`);
    }
  } finally {
    await cand.context.close();
  }
});

t('test_closing_from_the_console_ends_the_candidate_page', async (page) => {
  await page.setViewportSize(DESKTOP);
  const iv = await suite.server.newInterview('demo', 'Grace');
  const cand = await candidatePage(iv.url);
  try {
    await startDemo(cand.page);
    await signIn(page, `#/interviews/${iv.interview_id}`);
    await page.getByRole('heading', { name: 'Grace', level: 2 }).waitFor();
    await waitTurns(page, 'bot', [await cand.page.getByTestId('msg-bot').first().locator('.text').textContent(), Q.language]);

    await page.getByRole('button', { name: 'Close interview' }).click();
    const dialog = page.getByRole('dialog', { name: 'Close this interview?' });
    await dialog.waitFor();
    assert.match(await dialog.textContent(), /Grace will not be able to answer any more/);
    await dialog.getByRole('button', { name: 'Close interview' }).click();
    await dialog.waitFor({ state: 'detached' });
    await badge(page).filter({ hasText: 'Closed' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Close interview' }).count(), 0, 'a closed interview cannot be closed again');

    // The candidate's page ends at once, without them sending anything.
    await cand.page.getByTestId('end-state').waitFor();
    assert.equal(await cand.page.getByLabel('Your answer').count(), 0, 'no answer box once the interview is closed');
    assert.equal(await cand.page.getByRole('button', { name: 'Python', exact: true }).count(), 0, 'no choices either');
    // And a reload finds it closed too.
    await cand.page.reload();
    await cand.page.getByTestId('end-state').waitFor();
  } finally {
    await cand.context.close();
  }
  const shown = await cli(['show', '--json', '--data', suite.server.dataDir, iv.interview_id]);
  assert.equal(JSON.parse(shown.stdout).status, 'closed');
});

t('test_export_downloads_a_csv_with_the_interviews_answers', async (page) => {
  await page.setViewportSize(DESKTOP);
  const iv = await suite.server.newInterview('demo', 'Linus');
  const proud = 'A kernel, "small" at first,\nthen not';
  const cand = await candidatePage(iv.url);
  try {
    await startDemo(cand.page);
    await cand.page.getByRole('button', { name: 'C', exact: true }).click();
    await waitBot(cand.page, Q.years('C'));
    await typeAnswer(cand.page, '12');
    await waitBot(cand.page, Q.proud);
    await typeAnswer(cand.page, proud);
    await cand.page.getByTestId('end-state').waitFor();
  } finally {
    await cand.context.close();
  }

  await signIn(page, '#/scripts');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Export demo as CSV' }).click(),
  ]);
  assert.equal(download.suggestedFilename(), 'demo.csv');
  const text = await readFile(await download.path(), 'utf8');
  const [header, ...rows] = parseCsv(text);
  assert.deepEqual(header.slice(0, 5), ['id', 'candidate', 'status', 'created', 'finished']);
  for (const col of ['answer.language', 'answer.years', 'answer.proud', 'score.experience', 'tags']) {
    assert.ok(header.includes(col), `the header has ${col}: ${header.join(',')}`);
  }
  const row = rows.find((r) => r[0] === iv.interview_id);
  assert.ok(row, `a row for the interview: ${text}`);
  const cell = (col) => row[header.indexOf(col)];
  assert.equal(cell('candidate'), 'Linus');
  assert.equal(cell('status'), 'finished');
  assert.equal(cell('answer.language'), 'C');
  assert.equal(cell('answer.proud'), proud, 'quotes, a comma and a newline survive');
  assert.equal(cell('score.experience'), '10');
  assert.equal(cell('tags'), 'senior');
});

// Tab (or Shift+Tab) until the focused element's accessible text is `name`, checking on the way that
// every control reached shows its focus ring; at most 40 presses.
async function tabTo(page, name, key = 'Tab') {
  for (let i = 0; i <= 40; i++) {
    const here = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return { text: '', ring: false };
      const label = el.labels?.[0]?.textContent || el.getAttribute('aria-label') || el.textContent;
      return { text: (label || '').trim(), ring: el.tabIndex >= 0 }; // headings focused by script are -1
    });
    if (here.ring) await assertFocusRing(page, here.text || 'a control');
    if (here.text === name) return;
    await page.keyboard.press(key);
  }
  assert.fail(`${key} never reached ${name}`);
}

const focusedText = (page) => page.evaluate(() => document.activeElement?.textContent.trim());

t('test_keyboard_alone_signs_in_opens_an_interview_and_cancels_a_dialog', async (page) => {
  await page.setViewportSize(DESKTOP);
  const iv = await suite.server.newInterview('demo', 'Kay');
  await page.goto(consoleUrl());
  await page.getByLabel('Name').waitFor();
  // The name field has focus on arrival.
  await page.keyboard.type(ADMIN);
  await tabTo(page, 'Password');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await page.getByTestId('me').waitFor();

  await tabTo(page, 'Kay');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Kay', level: 2 }).waitFor();
  assert.ok(page.url().endsWith(`#/interviews/${iv.interview_id}`), page.url());

  await tabTo(page, 'Close interview');
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Close this interview?' });
  await dialog.waitFor();
  // Focus starts on the harmless choice, Tab and Shift+Tab stay inside, every stop shows its ring.
  assert.equal(await focusedText(page), 'Cancel');
  await assertFocusRing(page, 'Cancel');
  await page.keyboard.press('Tab');
  assert.equal(await focusedText(page), 'Close interview');
  assert.equal(await dialog.locator(':focus').count(), 1, 'focus is inside the dialog');
  await assertFocusRing(page, 'the dialog\'s Close interview');
  await page.keyboard.press('Tab');
  assert.equal(await focusedText(page), 'Cancel', 'Tab wraps around inside the dialog');
  await page.keyboard.press('Shift+Tab');
  assert.equal(await focusedText(page), 'Close interview', 'Shift+Tab wraps around too');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  assert.equal(await focusedText(page), 'Close interview', 'focus is back on the button that opened the dialog');
  assert.equal(await page.locator(':focus').evaluate((el) => el.closest('dialog') === null), true);
  await assertFocusRing(page, 'the opener after Escape');

  // Again, leaving by Cancel with Enter this time; nothing was closed either way.
  await page.keyboard.press('Enter');
  await dialog.waitFor();
  assert.equal(await focusedText(page), 'Cancel');
  await page.keyboard.press('Enter');
  await dialog.waitFor({ state: 'detached' });
  assert.equal(await focusedText(page), 'Close interview');
  assert.equal(await page.locator(':focus').evaluate((el) => el.closest('dialog') === null), true);
  assert.equal(await badge(page).textContent(), 'Not started');
  const shown = await cli(['show', '--json', '--data', suite.server.dataDir, iv.interview_id]);
  assert.equal(JSON.parse(shown.stdout).status, 'new', 'cancelling closed nothing');
});

t('test_wrong_password_is_announced_and_signs_no_one_in', async (page, { context }) => {
  await page.goto(consoleUrl());
  await page.getByLabel('Name').fill(ADMIN);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const alert = page.getByRole('alert').filter({ hasText: 'Wrong name or password.' });
  await alert.waitFor();
  assert.equal(await page.getByLabel('Password').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.getByTestId('me').count(), 0, 'still on the sign-in form');
  assert.equal(await page.getByRole('button', { name: 'Sign in' }).count(), 1);
  const me = await context.request.get(`${suite.server.http}/api/v1/me`);
  assert.equal(me.status(), 401, 'no session cookie was set');
  assert.deepEqual((await context.cookies()).filter((c) => c.name === 'interviewd_session'), []);
});

// What the console shows must fit from a phone to a desktop and read at 4.5:1, light and dark, on each
// of its main pages (the candidate page's bar, measured the same way).
async function consoleProblems(page, where) {
  const out = await page.evaluate(() => {
    const w = window.innerWidth;
    return document.documentElement.scrollWidth > w ? [`page is ${document.documentElement.scrollWidth}px wide`] : [];
  });
  const texts = page.locator('h1, h2, h3, p, th, td, label, dt, dd, li, a, button:not(:disabled), .turn-text');
  for (let i = 0; i < await texts.count(); i++) {
    const el = texts.nth(i);
    if (!(await el.isVisible()) || !(await el.evaluate((e) => e.textContent.trim() !== ''))) continue;
    const ratio = await el.evaluate(renderedContrast);
    if (ratio < 4.5) out.push(`${await el.evaluate((e) => e.tagName + '.' + e.className)} "${(await el.textContent()).trim().slice(0, 30)}" at ${ratio.toFixed(2)}:1`);
  }
  return out.map((p) => `${where}: ${p}`);
}

for (const viewport of [{ width: 360, height: 640 }, DESKTOP]) {
  t(`test_console_fits_and_meets_aa_contrast_at_${viewport.width}px_light_and_dark`, async (page) => {
    await page.setViewportSize(viewport);
    const iv = await suite.server.newInterview('demo', 'Grace');
    const problems = [];
    for (const colorScheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme });
      await page.context().clearCookies();
      await page.goto(consoleUrl());
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      problems.push(...await consoleProblems(page, `${colorScheme} sign-in`));
      await signIn(page);
      await page.getByText('Grace').first().waitFor();
      problems.push(...await consoleProblems(page, `${colorScheme} interviews`));
      await page.goto(consoleUrl(`#/interviews/${iv.interview_id}`));
      await badge(page).waitFor();
      problems.push(...await consoleProblems(page, `${colorScheme} interview`));
    }
    assert.deepEqual(problems, []);
  });
}
