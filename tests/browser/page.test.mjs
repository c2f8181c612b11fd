// The candidate page in Debian's Chromium against the real binary: the demo interview end to end,
// reloads, server restarts, an answer written while the server is down, and links that cannot work.
import assert from 'node:assert/strict';
import { cli, startServer } from '../lib/server.mjs';
import { Q, browserSuite, candidateTexts, freePort, pageTest, renderedContrast, waitBot, waitConnected, typeAnswer, www } from './helpers.mjs';

const suite = browserSuite();
const t = (name, fn, opts) => pageTest(() => suite.browser, name, fn, opts);

async function openInterview(page, srv = suite.server) {
  const iv = await srv.newInterview('demo', 'Ada');
  assert.match(iv.url, /[?&]interview=/, `the printed link carries the interview id: ${iv.url}`);
  assert.match(iv.url, /[?&]token=/, `the printed link carries the token: ${iv.url}`);
  await page.goto(iv.url);
  return iv;
}

async function start(page) {
  await page.getByRole('button', { name: 'Start the interview' }).click();
  await waitBot(page, Q.welcome);
  await waitBot(page, Q.language);
  // The page shows the opening message as delivered only once the server's transcript lists it; tests
  // that cut the connection next must not catch it still in the outbox.
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="msg-pending"]').length === 0);
}

async function assertEnded(page) {
  await page.getByTestId('end-state').waitFor();
  await waitBot(page, Q.end);
  assert.equal(await page.getByLabel('Your answer').count(), 0, 'no input once the interview is finished');
  // The last answer shows as on its way until the transcript the end frame asks for lists it.
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="msg-pending"]').length === 0);
}

t('test_demo_completes_by_typing_every_answer', async (page) => {
  await openInterview(page);
  await waitConnected(page);
  await page.getByTestId('welcome').waitFor();
  await start(page);
  await typeAnswer(page, 'Python');
  await waitBot(page, Q.years('Python'));
  // Not a number: the script asks again, and the page simply shows the new question.
  const before = await page.getByTestId('msg-bot').count();
  await typeAnswer(page, 'quite a few');
  // The re-ask may arrive as a hint (a say) and then the question (an ask): wait for the question.
  await page.waitForFunction((n) => {
    const bots = document.querySelectorAll('[data-testid="msg-bot"]');
    return bots.length > n && bots[bots.length - 1].getAttribute('data-kind') === 'ask';
  }, before);
  await typeAnswer(page, '7');
  await waitBot(page, Q.proud);
  await typeAnswer(page, 'A small compiler\nwith two lines');
  await assertEnded(page);
  const mine = await page.getByTestId('msg-candidate').locator('.text').allTextContents();
  assert.deepEqual(mine, ["Hello, I'm ready to start.", 'Python', 'quite a few', '7', 'A small compiler\nwith two lines']);
});

t('test_demo_completes_by_clicking_choices', async (page) => {
  await openInterview(page);
  await start(page);
  const choice = page.getByRole('button', { name: 'JavaScript', exact: true });
  await choice.focus();
  await page.keyboard.press('Enter'); // keyboard-reachable, and Enter picks it
  await waitBot(page, Q.years('JavaScript'));
  assert.equal(await page.getByTestId('choices').count(), 0, 'choices go away once answered');
  await typeAnswer(page, '3');
  await waitBot(page, Q.proud);
  await typeAnswer(page, 'The onboarding flow');
  await assertEnded(page);
});

t('test_reload_mid_interview_restores_the_transcript', async (page) => {
  await openInterview(page);
  await start(page);
  await page.getByRole('button', { name: 'C', exact: true }).click();
  await waitBot(page, Q.years('C'));
  await page.reload();
  await waitConnected(page);
  await waitBot(page, Q.years('C'));
  const bots = await page.getByTestId('msg-bot').locator('.text').allTextContents();
  assert.equal(bots.length, 3, `three bot messages after reload: ${JSON.stringify(bots)}`);
  assert.match(bots[0], Q.welcome);
  assert.equal(bots[1], Q.language);
  const mine = await page.getByTestId('msg-candidate').locator('.text').allTextContents();
  assert.deepEqual(mine, ["Hello, I'm ready to start.", 'C']);
  await typeAnswer(page, '12');
  await waitBot(page, Q.proud);
  await typeAnswer(page, 'Kept my answers through a reload');
  await assertEnded(page);
});

t('test_an_unsent_draft_survives_a_reload', async (page) => {
  await openInterview(page);
  await start(page);
  await page.getByLabel('Your answer').fill('Half of a long answer, not sent yet');
  await page.reload();
  await waitConnected(page);
  assert.equal(await page.getByLabel('Your answer').inputValue(), 'Half of a long answer, not sent yet');
  await page.getByLabel('Your answer').fill('Python');
  await page.getByLabel('Your answer').press('Enter');
  await waitBot(page, Q.years('Python'));
  await page.reload();
  await waitConnected(page);
  await waitBot(page, Q.years('Python'));
  assert.equal(await page.getByLabel('Your answer').inputValue(), '', 'a sent answer is not offered again');
});

t('test_finished_interview_reopens_in_its_end_state', async (page) => {
  await openInterview(page);
  await start(page);
  await typeAnswer(page, 'Other');
  await waitBot(page, Q.years('Other'));
  await typeAnswer(page, '1');
  await waitBot(page, Q.proud);
  await typeAnswer(page, 'Done');
  await assertEnded(page);
  await page.reload();
  await assertEnded(page);
});

t('test_server_restart_mid_interview_page_reconnects_and_continues', async (page) => {
  const listen = `127.0.0.1:${await freePort()}`;
  let first = await startServer({ www, listen });
  let second;
  try {
    await openInterview(page, first);
    await start(page);
    await first.stop();
    await page.locator('[data-testid="status"]:not([data-state="connected"])').waitFor();
    second = await startServer({ www, listen, dataDir: first.dataDir });
    await waitConnected(page);
    await page.getByRole('button', { name: 'Python', exact: true }).click();
    await waitBot(page, Q.years('Python'));
    await typeAnswer(page, '4');
    await waitBot(page, Q.proud);
    await typeAnswer(page, 'Survived a restart');
    await assertEnded(page);
  } finally {
    if (second) await second.stop();
    await first.stop();
    first.cleanup();
  }
});

t('test_answer_written_while_server_is_down_is_delivered_exactly_once', async (page) => {
  const listen = `127.0.0.1:${await freePort()}`;
  const first = await startServer({ www, listen });
  let second;
  try {
    const iv = await openInterview(page, first);
    await start(page);
    await typeAnswer(page, 'Python');
    await waitBot(page, Q.years('Python'));
    await typeAnswer(page, '9');
    await waitBot(page, Q.proud);
    await first.stop();
    await page.locator('[data-testid="status"]:not([data-state="connected"])').waitFor();
    const answer = 'Written while the server was down';
    await typeAnswer(page, answer);
    await page.locator('[data-testid="msg-pending"][data-state="queued"]').waitFor();
    second = await startServer({ www, listen, dataDir: first.dataDir });
    await assertEnded(page);
    await second.stop();
    second = null;
    const shown = await cli(['show', '--json', '--data', first.dataDir, iv.interview_id]);
    assert.equal(shown.code, 0, shown.stderr);
    const texts = candidateTexts(JSON.parse(shown.stdout));
    assert.equal(texts.filter((x) => x === answer).length, 1, `the answer is in the transcript once: ${JSON.stringify(texts)}`);
    // And a reload after that does not send it again.
    const again = await startServer({ www, listen, dataDir: first.dataDir });
    try {
      await page.reload();
      await assertEnded(page);
    } finally { await again.stop(); }
    const shown2 = await cli(['show', '--json', '--data', first.dataDir, iv.interview_id]);
    assert.equal(candidateTexts(JSON.parse(shown2.stdout)).filter((x) => x === answer).length, 1);
  } finally {
    if (second) await second.stop();
    await first.stop();
    first.cleanup();
  }
});

t('test_answer_written_while_browser_is_offline_is_delivered_once_back_online', async (page, { context }) => {
  const iv = await openInterview(page);
  await start(page);
  await page.getByRole('button', { name: 'Other', exact: true }).click();
  await waitBot(page, Q.years('Other'));
  await typeAnswer(page, '2');
  await waitBot(page, Q.proud);
  await context.setOffline(true);
  await page.locator('[data-testid="status"][data-state="offline"]').waitFor();
  const answer = 'Typed on a train with no signal';
  await typeAnswer(page, answer);
  await context.setOffline(false);
  await assertEnded(page);
  const shown = await cli(['show', '--json', '--data', suite.server.dataDir, iv.interview_id]);
  assert.equal(shown.code, 0, shown.stderr);
  assert.equal(candidateTexts(JSON.parse(shown.stdout)).filter((x) => x === answer).length, 1);
});

// The network eats the server's replies to an answer and the socket dies: the page must neither lose
// the answer nor show or record it twice once it reconnects.
t('test_replies_lost_in_flight_do_not_duplicate_the_answer', async (page) => {
  let dropped = false;
  await page.routeWebSocket(/\/v1\?token=/, (ws) => {
    const srv = ws.connectToServer();
    srv.onMessage((msg) => {
      if (!dropped && typeof msg === 'string' && msg.includes(Q.years('C'))) {
        dropped = true; // swallow the reply and cut the page's connection, as a flaky network would
        ws.close({ code: 1006 });
        return;
      }
      ws.send(msg);
    });
  });
  const iv = await openInterview(page);
  await start(page);
  await page.getByRole('button', { name: 'C', exact: true }).click();
  await waitBot(page, Q.years('C'));
  assert.equal(dropped, true, 'the first reply was dropped');
  const mine = await page.getByTestId('msg-candidate').locator('.text').allTextContents();
  assert.deepEqual(mine, ["Hello, I'm ready to start.", 'C']);
  assert.equal(await page.getByTestId('msg-pending').count(), 0);
  assert.equal(await page.getByTestId('msg-bot').filter({ hasText: Q.years('C') }).count(), 1);
  const shown = await cli(['show', '--json', '--data', suite.server.dataDir, iv.interview_id]);
  assert.deepEqual(candidateTexts(JSON.parse(shown.stdout)), ["Hello, I'm ready to start.", 'C']);
});

// The handshake's 401 is invisible to a WebSocket; the page asks the same URL over plain HTTP and, on a
// 401, says for certain that the link is bad and stops trying.
t('test_invalid_token_shows_a_clear_message', async (page) => {
  const iv = await suite.server.newInterview('demo', 'Ada');
  await page.goto(`${suite.server.http}/?interview=${iv.interview_id}&token=not-a-real-token`);
  await page.getByTestId('problem').waitFor();
  assert.match(await page.getByTestId('problem').textContent(), /This link is not valid — ask your interviewer for a new one/);
  assert.equal(await page.getByTestId('msg-bot').count(), 0);
  assert.equal(await page.getByTestId('status').count(), 0, 'no connection state or countdown: nothing more is tried');
});

// A link whose token is fine but whose socket cannot open (here: every handshake refused by a proxy)
// is not called invalid: the page keeps retrying and says it could not connect.
t('test_unreachable_socket_with_a_valid_token_is_not_called_invalid', async (page) => {
  await page.routeWebSocket(/\/v1\?token=/, (ws) => ws.close({ code: 1006 }));
  await openInterview(page);
  await page.getByTestId('connect-problem').waitFor();
  assert.match(await page.getByTestId('connect-problem').textContent(), /Could not connect/);
  assert.equal(await page.getByTestId('problem').count(), 0);
});

// A half-open connection: the server got the answer, but nothing ever comes back and no close arrives.
// The page must give up on that socket on its own, reconnect, and resend; the server's exactly-once
// rule turns the resend into the original replies, so the answer is recorded and shown once.
t('test_half_open_connection_is_replaced_and_the_answer_delivered_once', async (page) => {
  let silenced = false;
  let sockets = 0;
  await page.routeWebSocket(/\/v1\?token=/, (ws) => {
    const n = ++sockets;
    const srv = ws.connectToServer();
    ws.onMessage((msg) => {
      srv.send(msg);
      if (n === 1 && typeof msg === 'string' && msg.includes('"message":"C"')) silenced = true;
    });
    srv.onMessage((msg) => { if (!(n === 1 && silenced)) ws.send(msg); });
  });
  const iv = await openInterview(page);
  await start(page);
  await page.getByRole('button', { name: 'C', exact: true }).click();
  await page.locator('[data-testid="msg-pending"][data-state="sent"]').waitFor();
  assert.equal(silenced, true);
  await waitBot(page, Q.years('C')); // within the 20 s default: ~10 s of silence, then a new socket
  assert.ok(sockets >= 2, 'a second socket replaced the silent one');
  const mine = await page.getByTestId('msg-candidate').locator('.text').allTextContents();
  assert.deepEqual(mine, ["Hello, I'm ready to start.", 'C']);
  assert.equal(await page.getByTestId('msg-pending').count(), 0);
  assert.equal(await page.getByTestId('msg-bot').filter({ hasText: Q.years('C') }).count(), 1);
  const shown = await cli(['show', '--json', '--data', suite.server.dataDir, iv.interview_id]);
  assert.deepEqual(candidateTexts(JSON.parse(shown.stdout)), ["Hello, I'm ready to start.", 'C']);
}, { timeout: 120000 });

// Two tabs on one interview. Tab A's answer is held on its way (a slow network); meanwhile tab B
// answers, and B's turn reaches A while A's answer is in flight. A must not take B's turn for its own.
t('test_two_tabs_a_turn_from_the_other_tab_is_not_credited_to_this_one', async (page, { context }) => {
  let held = null;
  let release = null;
  const heldReady = new Promise((resolve) => { release = resolve; });
  await page.routeWebSocket(/\/v1\?token=/, (ws) => {
    const srv = ws.connectToServer();
    ws.onMessage((msg) => {
      if (!held && typeof msg === 'string' && msg.includes('"message":"7"')) { held = { srv, msg }; release(); return; }
      srv.send(msg);
    });
  });
  const iv = await openInterview(page);
  await start(page);
  const other = await context.newPage();
  try {
    await other.goto(iv.url);
    await waitBot(other, Q.language);
    await typeAnswer(page, '7'); // meant for the years question, which tab A has not seen yet
    await heldReady;
    await other.getByRole('button', { name: 'Python', exact: true }).click();
    await waitBot(other, Q.years('Python'));
    await waitBot(page, Q.years('Python')); // B's turn, broadcast to A
    // A shows B's answer where the server put it, and its own still on its way.
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="msg-candidate"] .text')]
      .map((e) => e.textContent).join('|') === "Hello, I'm ready to start.|Python");
    assert.equal(await page.locator('[data-testid="msg-pending"][data-state="sent"]').filter({ hasText: '7' }).count(), 1);
    held.srv.send(held.msg);
    await waitBot(page, Q.proud);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="msg-pending"]').length === 0);
    const mine = await page.getByTestId('msg-candidate').locator('.text').allTextContents();
    assert.deepEqual(mine, ["Hello, I'm ready to start.", 'Python', '7']);
    const shown = await cli(['show', '--json', '--data', suite.server.dataDir, iv.interview_id]);
    assert.deepEqual(candidateTexts(JSON.parse(shown.stdout)), ["Hello, I'm ready to start.", 'Python', '7']);
  } finally {
    await other.close();
  }
});

t('test_pending_answer_note_meets_aa_contrast_in_light_and_dark', async (page) => {
  // The connection drops and stays down (every new handshake refused), so the answer waits in the outbox.
  let down = false;
  const open = new Set();
  await page.routeWebSocket(/\/v1\?token=/, (ws) => {
    if (down) { ws.close({ code: 1006 }); return; }
    open.add(ws);
    ws.connectToServer();
  });
  await openInterview(page);
  await start(page);
  down = true;
  for (const ws of open) await ws.close({ code: 1006 });
  await page.locator('[data-testid="status"]:not([data-state="connected"])').waitFor();
  await typeAnswer(page, 'Typed while the server is unreachable');
  const note = page.locator('[data-testid="msg-pending"][data-state="queued"] .meta');
  await note.waitFor();
  assert.match(await note.textContent(), /Waiting for connection — will send automatically/);
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const sel of ['.meta', '.text']) {
      const ratio = await page.locator(`[data-testid="msg-pending"][data-state="queued"] ${sel}`).evaluate(renderedContrast);
      assert.ok(ratio >= 4.5, `${scheme}: pending ${sel} contrast ${ratio.toFixed(2)}:1 is below 4.5:1`);
    }
  }
});

t('test_token_of_another_interview_is_not_found', async (page) => {
  const a = await suite.server.newInterview('demo', 'Ada');
  const b = await suite.server.newInterview('demo', 'Bob');
  await page.goto(`${suite.server.http}/?interview=${b.interview_id}&token=${a.token}`);
  await page.getByTestId('problem').waitFor();
  assert.match(await page.getByTestId('problem').textContent(), /could not find this interview/);
});

t('test_incomplete_link_says_so', async (page) => {
  await page.goto(`${suite.server.http}/?interview=abc`);
  assert.match(await page.getByTestId('problem').textContent(), /This link is incomplete — ask your interviewer for a new one/);
});
