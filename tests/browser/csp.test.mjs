// The page and the console under the server's strict Content-Security-Policy (no inline script or style,
// connect-src 'self') in Debian's Chromium: a demo interview answered to its end and the console signed in
// to and following it live raise no CSP violation, neither as a console message nor as a
// securitypolicyviolation event; the same-origin ws: sockets connect under connect-src 'self'.
import assert from 'node:assert/strict';
import { cli } from '../lib/server.mjs';
import { Q, browserSuite, pageTest, typeAnswer, waitBot, waitConnected } from './helpers.mjs';

const suite = browserSuite();
const t = (name, fn, opts) => pageTest(() => suite.browser, name, fn, opts);
const ADMIN = 'csp.admin';
const PASSWORD = 'correct horse battery staple';

// Every violation the page reports, both ways Chromium reports it. Call before the first goto.
async function watchViolations(page) {
  const seen = [];
  page.on('console', (m) => { if (m.text().includes('Content Security Policy')) seen.push(`console: ${m.text()}`); });
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__violations.push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`);
    }, true);
  });
  return async () => [...seen, ...(await page.evaluate(() => window.__violations)).map((v) => `event: ${v}`)];
}

function assertStrictPolicy(response) {
  const csp = response.headers()['content-security-policy'] || '';
  assert.match(csp, /connect-src 'self';/, csp);
  assert.match(csp, /style-src 'self';/, csp);
  assert.doesNotMatch(csp, /unsafe-inline|ws:|wss:/, csp);
}

// Proves the collector sees a violation at all: an image from another site is refused by img-src.
async function assertCollectorWorks(page, violations) {
  await page.evaluate(() => { const i = new Image(); i.src = 'https://elsewhere.invalid/pixel.png'; document.body.append(i); });
  await page.waitForFunction(() => window.__violations.length > 0);
  const got = await violations();
  assert.ok(got.some((v) => v.startsWith('event: img-src')), got.join('\n'));
}

t('test_candidate_page_answers_the_demo_with_no_csp_violation', async (page) => {
  const violations = await watchViolations(page);
  const iv = await suite.server.newInterview('demo', 'Ada');
  assertStrictPolicy(await page.goto(iv.url));
  await waitConnected(page); // the ws: socket to our own origin passed connect-src 'self'
  await page.getByRole('button', { name: 'Start the interview' }).click();
  await waitBot(page, Q.language);
  await page.getByRole('button', { name: 'Python', exact: true }).click();
  await waitBot(page, Q.years('Python'));
  await typeAnswer(page, '7');
  await waitBot(page, Q.proud);
  await typeAnswer(page, 'A small compiler');
  await page.getByTestId('end-state').waitFor();
  assert.deepEqual(await violations(), []);
  await assertCollectorWorks(page, violations);
});

t('test_console_signs_in_and_follows_an_interview_live_with_no_csp_violation', async (page) => {
  const r = await cli(['user', 'add', ADMIN, '--password-stdin', '--role', 'admin', '--data', suite.server.dataDir],
    { input: `${PASSWORD}\n` });
  assert.equal(r.code, 0, r.stderr);
  const iv = await suite.server.newInterview('demo', 'Grace');
  await page.setViewportSize({ width: 1280, height: 800 });
  const violations = await watchViolations(page);
  assertStrictPolicy(await page.goto(`${suite.server.http}/console/`));
  await page.getByLabel('Name').fill(ADMIN);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('me').waitFor();
  await page.getByRole('link', { name: 'Grace' }).first().click();
  await page.getByRole('heading', { name: 'Grace', level: 2 }).waitFor();
  // The interview's watch socket (ws: to our own origin) is open.
  await page.locator('[data-testid="live"][data-state="live"]').waitFor();
  assert.ok(iv.interview_id);
  assert.deepEqual(await violations(), []);
  await assertCollectorWorks(page, violations);
});
