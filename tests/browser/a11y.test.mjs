// What a candidate on a phone, a candidate using only a keyboard or a screen reader, and a candidate on
// an office network with no internet each rely on: the page fits from 360 px to a desktop and keeps the
// newest message in view (also when a phone's keyboard shortens the viewport), every control is reachable
// by keyboard with a focus ring one can see, new questions are announced, text is readable in both colour
// schemes, and nothing is fetched from elsewhere.
import assert from 'node:assert/strict';
import { Q, assertFocusRing, browserSuite, pageTest, renderedContrast, typeAnswer, waitBot } from './helpers.mjs';

const suite = browserSuite();
const t = (name, fn, opts) => pageTest(() => suite.browser, name, fn, opts);

const LONG_WORD = 'https://example.invalid/' + 'a-very-long-unbroken-path-segment'.repeat(6);

// Resolves once the newest bot message is wholly visible between the header and the answer area (or the
// bottom of the viewport when there is no answer area): in view, not hidden behind the sticky parts.
async function waitNewestInView(page) {
  await page.waitForFunction(() => {
    const bots = document.querySelectorAll('[data-testid="msg-bot"]');
    if (!bots.length) return false;
    const r = bots[bots.length - 1].getBoundingClientRect();
    const top = document.querySelector('header').getBoundingClientRect().bottom;
    const area = document.querySelector('.answer-area');
    const bottom = area ? area.getBoundingClientRect().top : window.innerHeight;
    return r.top >= top - 0.5 && r.bottom <= bottom + 0.5;
  });
}

async function answerAndWait(page, text) {
  const before = await page.getByTestId('msg-bot').count();
  await typeAnswer(page, text);
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="msg-bot"]').length > n, before);
}

// Everything that must fit across the viewport: no sideways scrolling, no control cut off.
async function horizontalOverflow(page) {
  return page.evaluate(() => {
    const out = [];
    const w = window.innerWidth;
    if (document.documentElement.scrollWidth > w) out.push(`page is ${document.documentElement.scrollWidth}px wide`);
    for (const el of document.querySelectorAll('.bubble, .choice, #answer, .send, header h1, [data-testid="status"]')) {
      const r = el.getBoundingClientRect();
      if (r.width && (r.left < 0 || r.right > w + 0.5)) out.push(`${el.className || el.tagName} spans ${Math.round(r.left)}..${Math.round(r.right)}`);
    }
    return out;
  });
}

for (const viewport of [{ width: 360, height: 640 }, { width: 1280, height: 800 }]) {
  t(`test_page_fits_and_keeps_the_newest_message_in_view_at_${viewport.width}px`, async (page) => {
    await page.setViewportSize(viewport);
    const iv = await suite.server.newInterview('demo', 'Ada');
    await page.goto(iv.url);
    await page.getByRole('button', { name: 'Start the interview' }).click();
    await waitBot(page, Q.language);
    await waitNewestInView(page);
    // Answers that match no option are re-asked: the conversation grows past one screen.
    for (const answer of [LONG_WORD, 'Not sure, let me think about it for a while', 'Still thinking']) {
      await answerAndWait(page, answer);
      await waitNewestInView(page);
    }
    assert.deepEqual(await horizontalOverflow(page), [], 'a long unbroken answer wraps inside its bubble');
    await page.getByRole('button', { name: 'Python', exact: true }).click();
    await waitBot(page, Q.years('Python'));
    await waitNewestInView(page);
    await answerAndWait(page, '6');
    await waitNewestInView(page);
    assert.deepEqual(await horizontalOverflow(page), []);
    const box = await page.getByLabel('Your answer').boundingBox();
    assert.ok(box && box.y + box.height <= viewport.height, 'the answer box is on screen');
    // A phone's keyboard opening: the viewport gets shorter, the newest message stays in view.
    await page.setViewportSize({ width: viewport.width, height: viewport.height - 240 });
    await waitNewestInView(page);
  });
}

// Tab until `name` (an accessible name, or 'answer' for the answer box) has focus; at most 20 presses.
async function tabTo(page, name) {
  for (let i = 0; i <= 20; i++) {
    const here = await page.evaluate(() => {
      const el = document.activeElement;
      return el?.id === 'answer' ? 'answer' : (el?.textContent || '').trim();
    });
    if (here === name) return;
    await page.keyboard.press('Tab');
  }
  assert.fail(`Tab never reached ${name}`);
}

t('test_keyboard_alone_completes_the_demo_with_a_visible_focus_ring_and_announced_questions', async (page) => {
  const iv = await suite.server.newInterview('demo', 'Ada');
  await page.goto(iv.url);
  const live = page.getByTestId('announcer');
  assert.equal(await live.getAttribute('aria-live'), 'polite');

  await tabTo(page, 'Start the interview');
  await assertFocusRing(page, 'Start button');
  await page.keyboard.press('Enter');
  await waitBot(page, Q.language);
  await page.waitForFunction((q) => document.querySelector('[data-testid="announcer"]').textContent.includes(q), Q.language);

  await tabTo(page, 'Python');
  await assertFocusRing(page, 'a choice');
  await page.keyboard.press('Enter');
  await waitBot(page, Q.years('Python'));
  await page.waitForFunction((q) => document.querySelector('[data-testid="announcer"]').textContent === q, Q.years('Python'));

  await tabTo(page, 'answer');
  await assertFocusRing(page, 'the answer box');
  await page.keyboard.type('5');
  await page.keyboard.press('Enter');
  await waitBot(page, Q.proud);
  await page.waitForFunction((q) => document.querySelector('[data-testid="announcer"]').textContent === q, Q.proud);

  await tabTo(page, 'answer');
  await page.keyboard.type('A parser, written with only a keyboard');
  await page.keyboard.press('Enter');
  await page.getByTestId('end-state').waitFor();
  await page.waitForFunction((q) => document.querySelector('[data-testid="announcer"]').textContent.includes(q), Q.end);
});

// From the language question to the end state: pick `lang`, then type the years and the proud work.
async function finishDemo(page, lang, years, proud) {
  await page.getByRole('button', { name: lang, exact: true }).click();
  await waitBot(page, Q.years(lang));
  await typeAnswer(page, years);
  await waitBot(page, Q.proud);
  await typeAnswer(page, proud);
  await page.getByTestId('end-state').waitFor();
}

// Every visible piece of text at 4.5:1 or better, measured as rendered, in each state of the page.
async function lowContrast(page, state) {
  const selectors = ['header h1', '[data-testid="status"] .label', '.welcome h2', '.welcome p', 'button.primary', '.bubble.bot .text',
    '.bubble.me:not(.pending) .text', '.choice', '#answer', '.send:not(:disabled)', '.hint', '.end-state h2', '.end-state p'];
  const out = [];
  for (const sel of selectors) {
    const all = page.locator(sel);
    for (let i = 0; i < await all.count(); i++) {
      const el = all.nth(i);
      if (!(await el.isVisible())) continue;
      const ratio = await el.evaluate(renderedContrast);
      if (ratio < 4.5) out.push(`${state}: ${sel} at ${ratio.toFixed(2)}:1`);
    }
  }
  return out;
}

t('test_page_text_meets_aa_contrast_in_light_and_dark', async (page) => {
  await page.setViewportSize({ width: 1280, height: 800 }); // wide enough that the input hint shows
  const iv = await suite.server.newInterview('demo', 'Ada');
  const found = [];
  const check = async (state) => {
    for (const colorScheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme });
      found.push(...await lowContrast(page, `${state} (${colorScheme})`));
    }
  };
  await page.goto(iv.url);
  await page.getByTestId('welcome').waitFor();
  await check('welcome');
  await page.getByRole('button', { name: 'Start the interview' }).click();
  await waitBot(page, Q.language);
  await page.getByLabel('Your answer').fill('typed, not sent');
  await check('conversation');
  await page.getByLabel('Your answer').fill('');
  await finishDemo(page, 'C', '3', 'Done');
  await check('end');
  assert.deepEqual(found, []);
});

t('test_page_fetches_nothing_from_any_other_origin', async (page) => {
  const seen = [];
  page.on('request', (r) => seen.push(r.url()));
  page.on('websocket', (ws) => seen.push(ws.url()));
  const iv = await suite.server.newInterview('demo', 'Ada');
  await page.goto(iv.url);
  await page.getByRole('button', { name: 'Start the interview' }).click();
  await finishDemo(page, 'Other', '2', 'Offline-friendly pages');
  const { host } = new URL(suite.server.http);
  const foreign = seen.filter((u) => new URL(u).host !== host);
  assert.ok(seen.length >= 2, `the page and its socket were seen: ${JSON.stringify(seen)}`);
  assert.deepEqual(foreign, [], 'no fonts, CDNs or trackers');
});
