// Crash safety under load: many interviews driven at once while the server is SIGKILLed at random
// moments and restarted on the same data directory. Clients resend an unanswered message with its
// client_msg_id after reconnecting, as a page does. After every restart each message whose reply a client
// received is in the transcript exactly once at the seq it was answered at, seqs run 1..n without gaps, and
// `interviewd verify` passes. A second test does the same with the data directory on a full filesystem (a
// small tmpfs): turns are refused with `unavailable`, nothing acknowledged is lost, and service resumes once
// space is freed. The kill moments come from a seeded PRNG; set CRASH_SEED to replay a failing run.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { startServer, tempDir, cli } from '../lib/server.mjs';
import { scriptsDirWith } from '../lib/fixtures.mjs';

// One question per candidate message, forever: message k (1-based) is seq 2k-1 and is answered by
// "Question k" at seq 2k, so a message run twice or lost shows in the numbers.
const scripts = scriptsDirWith({ endless: 'local i = 0\nwhile true do\n  i = i + 1\n  ask("Question " .. i)\nend\n' });
after(() => rmSync(scripts, { recursive: true, force: true }));

// Each connection stays under the server's 20 messages a second.
const PACE_MS = 60;

// mulberry32: small, seedable, good enough to pick kill moments.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// A candidate that records every reply it received with the seq of the message it answers, and keeps
// one message outstanding (pending) until its reply arrives, across connections.
class Candidate {
  constructor(iv, name, padding = '') {
    this.id = iv.interview_id;
    this.token = iv.token;
    this.name = name;
    this.padding = padding;
    this.acked = []; // { cmid, text, seq, reply }
    this.pending = null; // { cmid, text }
    this.refused = 0; // `unavailable` answers
    this.repeats = 0; // replies marked repeat: the resend of a message recorded before a kill
    this.problems = [];
  }

  // Drives turns over one connection until it closes (the server died) or until() holds.
  // onReply runs after each recorded reply, onProblem after an unexpected frame.
  run(wsBase, { onReply = () => {}, onProblem = () => {}, until = () => false } = {}) {
    return new Promise((resolve) => {
      const ws = new WebSocket(`${wsBase}/v1?token=${this.token}`);
      let lastSend = 0;
      let timer = null;
      const send = () => {
        if (until()) { ws.close(); return; }
        if (!this.pending) {
          const n = this.acked.length + 1;
          this.pending = { cmid: `${this.name}-${n}`, text: `answer ${n} from ${this.name}${this.padding}` };
        }
        timer = setTimeout(() => {
          timer = null;
          if (ws.readyState !== WebSocket.OPEN) return;
          lastSend = Date.now();
          ws.send(JSON.stringify({ action: 'message', interview_id: this.id, message: this.pending.text,
            client_msg_id: this.pending.cmid }));
        }, Math.max(0, lastSend + PACE_MS - Date.now()));
      };
      ws.on('open', send);
      ws.on('message', (data) => {
        const f = JSON.parse(data.toString());
        if (f.type === 'error' && (f.code === 'unavailable' || f.code === 'rate_limited')) {
          if (f.code === 'unavailable') this.refused++;
          send(); // the same message again: nothing was recorded
          return;
        }
        const n = this.acked.length + 1;
        if (f.type !== 'response' || f.kind !== 'ask' || f.message !== `Question ${n}` || !this.pending) {
          this.problems.push(`${this.name}: unexpected frame for message ${n}: ${JSON.stringify(f)}`);
          ws.close();
          onProblem();
          return;
        }
        if (f.repeat) this.repeats++; // recorded before a kill, answered again after it
        this.acked.push({ ...this.pending, seq: f.seq - 1, reply: f });
        this.pending = null;
        onReply(this);
        send();
      });
      ws.on('error', () => {}); // refused or reset by the kill: 'close' follows
      ws.on('close', () => { if (timer) clearTimeout(timer); resolve(); });
    });
  }
}

// Runs fn over items, at most `limit` at a time (each `show` is a process on a 2-core machine).
async function mapLimit(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) { const i = next++; out[i] = await fn(items[i]); }
  }));
  return out;
}

// Every acknowledged message is in its transcript exactly once, at the seq it was answered at, followed by
// the reply the client got; nothing else is there but, at most, the one message still unanswered; seqs
// run 1..n; and verify passes on the live data directory.
async function checkDurable(dataDir, candidates, label) {
  const shown = await mapLimit(candidates, 4, (c) => cli(['show', c.id, '--json', '--data', dataDir]));
  candidates.forEach((c, i) => {
    assert.equal(shown[i].code, 0, `${label}: show ${c.id}: ${shown[i].stderr}`);
    const t = JSON.parse(shown[i].stdout).transcript;
    assert.deepEqual(t.map((m) => m.seq), t.map((_, k) => k + 1), `${label}: ${c.name}: seqs are 1..n`);
    const said = t.filter((m) => m.role === 'candidate');
    for (const a of c.acked) {
      const found = said.filter((m) => m.client_msg_id === a.cmid);
      assert.equal(found.length, 1, `${label}: ${c.name}: acknowledged ${a.cmid} is recorded exactly once`);
      assert.equal(found[0].seq, a.seq, `${label}: ${a.cmid} at the seq it was answered at`);
      assert.equal(found[0].text, a.text, `${label}: ${a.cmid} text`);
      assert.equal(t[a.seq]?.text, a.reply.message, `${label}: ${a.cmid}: the reply the client got follows it`);
    }
    const extra = said.filter((m) => !c.acked.some((a) => a.cmid === m.client_msg_id));
    assert.ok(extra.length === 0 || (extra.length === 1 && extra[0].client_msg_id === c.pending?.cmid
      && extra[0].seq === 2 * c.acked.length + 1),
    `${label}: ${c.name}: nothing recorded but acknowledged messages and the one outstanding: ${JSON.stringify(extra.map((m) => m.client_msg_id))}`);
  });
  const v = await cli(['verify', '--data', dataDir]);
  assert.equal(v.code, 0, `${label}: verify: ${v.stdout}${v.stderr}`);
}

async function newCandidates(server, count, prefix, padding) {
  const ivs = await mapLimit(Array.from({ length: count }, (_, i) => i), 4,
    (i) => server.newInterview('endless', `${prefix}${i}`));
  return ivs.map((iv, i) => new Candidate(iv, `${prefix}${i}`, padding));
}

function noProblems(candidates) {
  assert.deepEqual(candidates.flatMap((c) => c.problems), [], 'every reply was the next question');
}

test('24 interviews, SIGKILLed 12 times at random moments: every acknowledged message survives exactly once', { timeout: 120000 }, async (t) => {
  const seed = Number(process.env.CRASH_SEED) || (Math.random() * 2 ** 32) >>> 0;
  t.diagnostic(`CRASH_SEED=${seed}`);
  console.log(`# crash test: CRASH_SEED=${seed} replays this run`);
  const rand = prng(seed);
  const dataDir = tempDir();
  let server = await startServer({ dataDir, scripts });
  try {
    const candidates = await newCandidates(server, 24, 'c', '');
    const KILLS = 12;
    let replies = 0;
    for (let round = 1; round <= KILLS; round++) {
      // The kill moment: after 0..47 more replies (some while clients are still reconnecting), then
      // 0..9 ms on, so it lands anywhere in a turn of the interviews still in flight.
      const killAt = replies + Math.floor(rand() * 48);
      const delay = Math.floor(rand() * 10);
      let armed = true;
      const kill = () => {
        if (!armed) return;
        armed = false;
        setTimeout(() => server.proc.kill('SIGKILL'), delay);
      };
      const onReply = () => { if (++replies >= killAt) kill(); };
      const runs = candidates.map((c) => c.run(server.ws, { onReply, onProblem: kill }));
      if (replies >= killAt) kill();
      const { signal } = await server.exited;
      assert.equal(signal, 'SIGKILL', `round ${round}: the server died of the kill, not of something else:\n${server.log}`);
      await server.stop(); // fails on a sanitizer report in its log
      await Promise.all(runs);
      noProblems(candidates);

      server = await startServer({ dataDir, scripts });
      await checkDurable(dataDir, candidates, `after kill ${round} (seed ${seed})`);
    }

    // Service continues: every candidate gets its outstanding message answered and two more.
    for (const c of candidates) c.target = c.acked.length + 2;
    await Promise.all(candidates.map((c) => c.run(server.ws, { until: () => c.acked.length >= c.target })));
    noProblems(candidates);
    for (const c of candidates) assert.ok(c.acked.length >= c.target && !c.pending, `${c.name} finished its turns`);
    await checkDurable(dataDir, candidates, `final (seed ${seed})`);
    t.diagnostic(`${replies} replies over ${KILLS} kills, ${candidates.reduce((n, c) => n + c.repeats, 0)} of them repeats`);
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

// Fills the filesystem holding dir with one file; returns its path.
function fillUp(dir) {
  const file = path.join(dir, 'filler');
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) {
      try { writeSync(fd, chunk); } catch (e) {
        if (e.code !== 'ENOSPC') throw e;
        break;
      }
    }
    // The last partial chunk: fill what is left to the byte.
    for (let size = chunk.length / 2; size >= 1; size = Math.floor(size / 2)) {
      try { for (;;) writeSync(fd, chunk, 0, size); } catch (e) { if (e.code !== 'ENOSPC') throw e; }
    }
  } finally { closeSync(fd); }
  return file;
}

test('on a full filesystem turns are refused with unavailable, nothing acknowledged is lost, and service resumes when space returns', { timeout: 60000 }, async (t) => {
  const mnt = tempDir('interviewd-fullfs-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mnt], { stdio: 'pipe' });
  } catch (e) {
    rmSync(mnt, { recursive: true, force: true });
    t.skip(`cannot mount a tmpfs here (needs root and mount permission): ${String(e.stderr || e.message).trim()}`);
    return;
  }
  const dataDir = path.join(mnt, 'data');
  let server = null;
  try {
    server = await startServer({ dataDir, scripts });
    // 24 KiB messages: each needs fresh pages, so a full disk shows at the next turn.
    const candidates = await newCandidates(server, 4, 'f', ` ${'x'.repeat(24 * 1024)}`);

    // Some turns are acknowledged on a disk with room.
    let runs = candidates.map((c) => c.run(server.ws, { until: () => c.acked.length >= 3 }));
    await Promise.all(runs);
    noProblems(candidates);

    // The disk fills up while every candidate keeps sending: each is refused with `unavailable`.
    const filler = fillUp(mnt);
    const refusedBefore = candidates.map((c) => c.refused);
    let full = true;
    const refusedEach = () => candidates.every((c, i) => c.refused >= refusedBefore[i] + 2);
    runs = candidates.map((c) => c.run(server.ws, { until: () => !full || refusedEach() }));
    await Promise.all(runs);
    noProblems(candidates);
    assert.ok(refusedEach(), `every candidate was refused with unavailable: ${candidates.map((c) => c.refused)}`);
    await checkDurable(dataDir, candidates, 'full disk');

    // Killed while the disk is full, restarted on it: nothing acknowledged is lost, and turns are still refused.
    const outstanding = candidates.map((c) => c.pending);
    server.proc.kill('SIGKILL');
    await server.stop();
    server = await startServer({ dataDir, scripts });
    await checkDurable(dataDir, candidates, 'full disk, after a kill');
    const refusedAfterKill = candidates.map((c) => c.refused);
    runs = candidates.map((c) => c.run(server.ws, { until: () => c.refused > refusedAfterKill[candidates.indexOf(c)] }));
    await Promise.all(runs);
    noProblems(candidates);
    assert.deepEqual(candidates.map((c) => c.pending), outstanding, 'still nothing accepted on the full disk');

    // Space returns: the refused messages go through and service continues.
    rmSync(filler);
    full = false;
    for (const c of candidates) c.target = c.acked.length + 3;
    runs = candidates.map((c) => c.run(server.ws, { until: () => c.acked.length >= c.target }));
    await Promise.all(runs);
    noProblems(candidates);
    for (const c of candidates) assert.ok(c.acked.length >= c.target && !c.pending, `${c.name} was served again`);
    await checkDurable(dataDir, candidates, 'space freed');
  } finally {
    if (server) await server.stop();
    execFileSync('umount', [mnt]);
    rmSync(mnt, { recursive: true, force: true });
  }
});
