// A refused answer against the real server: the script fails on one answer (script_error). The page
// keeps that answer as "Not sent", holds what was typed after it, leaves the answer box alone, and only
// moves on when the candidate acts; the transcript then has each answer once, in the intended order.
import { after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { cli } from '../lib/server.mjs';
import { scriptsDirWith } from '../lib/fixtures.mjs';
import { browserSuite, candidateTexts, pageTest, typeAnswer, waitBot } from './helpers.mjs';

const scripts = scriptsDirWith({
  fragile: `
local a = ask("First question?")
if a:find("boom", 1, true) then error("this script cannot handle boom") end
local b = ask("Second question?")
finish("Done: " .. a .. " / " .. b)
`,
});

const suite = browserSuite({ scripts });
after(() => {
  rmSync(scripts, { recursive: true, force: true });
});
const t = (name, fn, opts) => pageTest(() => suite.browser, name, fn, opts);

t('test_refused_answer_pauses_the_outbox_and_keeps_the_draft_until_edited', async (page) => {
  const iv = await suite.server.newInterview('fragile', 'Ada');
  await page.goto(iv.url);
  await page.getByRole('button', { name: 'Start the interview' }).click();
  await waitBot(page, 'First question?');
  await typeAnswer(page, 'boom');
  await typeAnswer(page, 'typed ahead'); // meant for the second question
  const box = page.getByLabel('Your answer');
  await box.fill('a draft in progress');
  const refused = page.locator('[data-testid="msg-pending"][data-state="refused"]');
  await refused.waitFor();
  assert.match(await refused.textContent(), /boom.*Not sent/);
  assert.equal(await page.getByTestId('error-notice').getAttribute('data-code'), 'script_error');
  assert.match(await page.locator('[data-testid="msg-pending"][data-state="queued"]').textContent(), /typed ahead.*Held until/);
  assert.equal(await box.inputValue(), 'a draft in progress', 'the draft is not overwritten');
  const before = await cli(['show', '--json', '--data', suite.server.dataDir, iv.interview_id]);
  assert.deepEqual(candidateTexts(JSON.parse(before.stdout)), ["Hello, I'm ready to start."], 'nothing after the refusal was sent');

  await refused.getByRole('button', { name: 'Edit' }).click();
  const edit = page.getByLabel('Edit your answer');
  assert.equal(await edit.evaluate((e) => e === document.activeElement), true);
  await edit.fill('fine');
  await page.getByRole('button', { name: 'Send again' }).click();
  await waitBot(page, 'Done: fine / typed ahead');
  await page.getByTestId('end-state').waitFor();
  assert.equal(await page.getByTestId('error-notice').count(), 0);
  assert.equal(await page.getByRole('heading', { name: 'Interview complete' }).evaluate((e) => e === document.activeElement), true);
  const shown = await cli(['show', '--json', '--data', suite.server.dataDir, iv.interview_id]);
  assert.deepEqual(candidateTexts(JSON.parse(shown.stdout)), ["Hello, I'm ready to start.", 'fine', 'typed ahead']);
});
