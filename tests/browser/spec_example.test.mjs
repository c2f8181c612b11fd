// The reference spec's React example (www/src/spec/InterviewChatbot.jsx, verbatim but for its URL and
// interview id) against the real binary: the protocol is the contract, not our page.
import assert from 'node:assert/strict';
import { Q, browserSuite, pageTest, www } from './helpers.mjs';

const suite = browserSuite();

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
