// The reference spec's React example (www/src/spec/InterviewChatbot.jsx, verbatim but for its URL and
// interview id) against the real binary: the protocol is the contract, not our page. The example is
// test material kept out of the page build: this file builds it into a directory of its own and
// serves that, and checks the page build does not ship it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { Q, browserSuite, pageTest, www } from './helpers.mjs';

const sources = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'www');
const specWww = mkdtempSync(path.join(os.tmpdir(), 'interviewd-spec-example-'));

// Registered before browserSuite's hooks, so the page exists when the server starts on it.
before(async () => {
  await promisify(execFile)(process.execPath, [path.join(sources, 'node_modules', 'vite', 'bin', 'vite.js'), 'build',
    '--mode', 'spec-example', '--outDir', specWww, '--emptyOutDir', '--logLevel', 'warn'], { cwd: sources });
});
after(() => rmSync(specWww, { recursive: true, force: true }));

const suite = browserSuite({ www: specWww });

test('test_page_build_does_not_ship_the_spec_example', () => {
  assert.ok(existsSync(path.join(www, 'index.html')), `the page build is at ${www}`);
  assert.ok(!existsSync(path.join(www, 'spec-example.html')));
  assert.deepEqual(readdirSync(path.join(www, 'assets')).filter((f) => /spec/i.test(f)), []);
});

pageTest(() => suite.browser, 'test_spec_InterviewChatbot_example_completes_an_exchange', async (page) => {
  const iv = await suite.server.newInterview('demo', 'Ada');
  const connected = page.waitForEvent('console', (m) => m.text() === 'Connected to WebSocket');
  await page.goto(`${suite.server.http}/spec-example.html?interview=${iv.interview_id}&token=${encodeURIComponent(iv.token)}`);
  await connected;
  await page.locator('.input-area input').fill('Hello, I would like to start an interview');
  await page.locator('.input-area button', { hasText: 'Send' }).click();
  await page.locator('.message.user', { hasText: 'Hello, I would like to start an interview' }).waitFor();
  await page.locator('.message.bot', { hasText: Q.welcome }).waitFor();
  await page.locator('.message.bot', { hasText: Q.language }).waitFor();
  // Answer by pressing Enter, as the example's onKeyPress handler does.
  await page.locator('.input-area input').fill('C');
  await page.locator('.input-area input').press('Enter');
  await page.locator('.message.bot', { hasText: Q.years('C') }).waitFor();
  const bots = await page.locator('.message.bot').allTextContents();
  assert.ok(bots.every((b) => b.trim() !== ''), `every bot bubble has text: ${JSON.stringify(bots)}`);
});
