// make bench: turns/s and per-turn latency of the real server at 1, 100 and 1000 concurrent WebSocket
// connections, durable (the default: every turn fsync'd before its reply, group commit) against a baseline
// measured in the same run: `serve --no-sync`, the same code path with LMDB not syncing. The ratio is the
// figure to read. Loopback only; every count and wait is bounded; both servers are stopped at the end.
//
// Each connection drives its own interview running a script that only asks, turn after turn: a turn is one
// candidate message and the one `ask` frame it causes; latency is send -> that frame.
//
// Knobs (environment): BENCH_LEVELS=1,100,1000  BENCH_TURNS=30 (per connection; the server allows bursts
// of 40 messages per connection, 20/s after, so stay under 40 unless pacing)  BENCH_MIN_TURNS=600 (levels
// with fewer turns repeat in rounds of fresh connections)  BENCH_LEVEL_TIMEOUT_S=240  BENCH_THINK_MS=0 (a
// pause between a reply and the next message: 0 is a closed loop where, by Little's law, mean latency is
// connections / throughput; 50+ measures latency at a bounded offered load, 1000/(50+latency) per connection).
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { startServer, cli, tempDir } from '../lib/server.mjs';
import { scriptsDirWith } from '../lib/fixtures.mjs';
import { connect } from '../lib/ws.mjs';

const LEVELS = (process.env.BENCH_LEVELS || '1,100,1000').split(',').map(Number);
const TURNS = Number(process.env.BENCH_TURNS || 30);
const MIN_TURNS = Number(process.env.BENCH_MIN_TURNS || 600);
const LEVEL_TIMEOUT_MS = 1000 * Number(process.env.BENCH_LEVEL_TIMEOUT_S || 240);
const INTERVIEWS = Math.max(...LEVELS);
const MAX_CONNECTIONS = 1100;
const CREATE_CONCURRENCY = 8;
const CONNECT_CONCURRENCY = 64;
const FRAME_TIMEOUT_MS = 30000;
const THINK_MS = Number(process.env.BENCH_THINK_MS || 0);
// Two loads by default: a closed loop (throughput; latency there is queueing, connections / throughput) and
// a paced one (latency at a load a team would see: a reply, 50 ms of "typing", the next message).
// BENCH_THINK_MS picks one of them instead.
const MODES = process.env.BENCH_THINK_MS !== undefined
  ? [{ name: THINK_MS ? `paced, ${THINK_MS} ms think time` : 'closed loop', think: THINK_MS, turns: TURNS, minTurns: MIN_TURNS }]
  : [{ name: 'closed loop', think: 0, turns: TURNS, minTurns: MIN_TURNS },
     { name: 'paced, 50 ms think time', think: 50, turns: 60, minTurns: 300 }];

if (!LEVELS.every((n) => Number.isInteger(n) && n >= 1 && n <= 1000) || !(TURNS >= 1 && TURNS <= (THINK_MS >= 50 ? 1000 : 40))
    || !(THINK_MS >= 0 && THINK_MS <= 5000)) {
  console.error('bench: BENCH_LEVELS must be 1..1000 each, BENCH_TURNS 1..40 (1..1000 with BENCH_THINK_MS >= 50), BENCH_THINK_MS 0..5000');
  process.exit(2);
}

function fdLimit() {
  const m = /Max open files\s+(\d+|unlimited)/.exec(readFileSync('/proc/self/limits', 'utf8'));
  return m ? (m[1] === 'unlimited' ? Infinity : Number(m[1])) : Infinity;
}

// Runs fn(i) for i in 0..n-1, at most `limit` at a time; resolves the results in order.
async function pool(n, limit, fn) {
  const out = new Array(n);
  let next = 0;
  const worker = async () => { while (next < n) { const i = next++; out[i] = await fn(i); } };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
  return out;
}

function withTimeout(promise, ms, what) {
  let timer;
  const t = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} took over ${ms / 1000} s`)), ms); });
  return Promise.race([promise, t]).finally(() => clearTimeout(timer));
}

function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

// Opens `count` connections on interviews [first, first+count), drives TURNS turns on each at once, closes.
// Returns { turns, seconds, latencies (ms) } for the driving window only (handshakes excluded).
async function round(server, interviews, first, count, mode) {
  const conns = await pool(count, CONNECT_CONCURRENCY, async (i) => {
    const iv = interviews[(first + i) % interviews.length];
    return { iv, c: await connect(`${server.ws}/v1?token=${iv.token}`, { timeout: FRAME_TIMEOUT_MS }) };
  });
  const latencies = [];
  try {
    const t0 = process.hrtime.bigint();
    await Promise.all(conns.map(async ({ iv, c }) => {
      for (let t = 0; t < mode.turns; t++) {
        const sent = process.hrtime.bigint();
        c.send({ action: 'message', message: `answer ${t}`, interview_id: iv.interview_id });
        const f = await c.next((x) => x.kind === 'ask' || x.type === 'error', FRAME_TIMEOUT_MS);
        if (f.type === 'error') throw new Error(`server answered a turn with an error: ${JSON.stringify(f)}`);
        latencies.push(Number(process.hrtime.bigint() - sent) / 1e6);
        if (mode.think) await new Promise((r) => setTimeout(r, mode.think));
      }
    }));
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    return { turns: count * mode.turns, seconds, latencies };
  } finally {
    for (const { c } of conns) c.close();
    await withTimeout(Promise.all(conns.map(({ c }) => c.closed)), FRAME_TIMEOUT_MS, 'closing connections');
  }
}

async function level(server, interviews, n, mode) {
  const rounds = Math.max(1, Math.ceil(mode.minTurns / (n * mode.turns)));
  let turns = 0, seconds = 0;
  const latencies = [];
  for (let r = 0; r < rounds; r++) {
    const res = await round(server, interviews, r * n, n, mode);
    turns += res.turns;
    seconds += res.seconds;
    latencies.push(...res.latencies);
  }
  latencies.sort((a, b) => a - b);
  return { turns, tps: turns / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

async function measure(label, dataDir, scripts, interviews, extraArgs) {
  const server = await startServer({ dataDir, scripts, extraArgs: ['--max-connections', String(MAX_CONNECTIONS), ...extraArgs]
  });
  const results = MODES.map(() => ({}));
  try {
    for (const [m, mode] of MODES.entries()) {
      for (const n of LEVELS) {
        results[m][n] = await withTimeout(level(server, interviews, n, mode), LEVEL_TIMEOUT_MS, `${label} at ${n} connections`);
        const r = results[m][n];
        console.error(`bench: ${label.padEnd(8)} ${mode.name}, ${String(n).padStart(4)} connections: ${r.turns} turns, ${r.tps.toFixed(0)} turns/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms`);
      }
    }
  } finally {
    const exit = await withTimeout(server.stop(), 30000, `stopping the ${label} server`).catch((e) => { server.proc.kill('SIGKILL'); throw e; });
    if (exit.code !== 0) console.error(`bench: the ${label} server exited with ${exit.code ?? exit.signal}:\n${server.log.slice(-2000)}`);
  }
  return results;
}

async function main() {
  const need = MAX_CONNECTIONS + 200;
  if (fdLimit() < need) {
    console.error(`bench: the open-file limit is ${fdLimit()}; ${need} are needed (run: ulimit -n ${need * 2})`);
    process.exit(2);
  }
  const scripts = scriptsDirWith({ bench: '-- Asks forever: each candidate message is answered by one question.\nwhile true do ask("next?") end\n' });
  const durableData = tempDir('interviewd-bench-');
  const baselineData = tempDir('interviewd-bench-');
  try {
    // Interviews are created once, with no server running, then the data directory is copied, so both
    // servers start from identical stores.
    const t0 = Date.now();
    const interviews = await pool(INTERVIEWS, CREATE_CONCURRENCY, async () => {
      const r = await cli(['new', '--script', 'bench', '--json', '--data', durableData, '--scripts', scripts, '--url', 'http://127.0.0.1:1']);
      if (r.code !== 0) throw new Error(`interviewd new failed (${r.code}): ${r.stderr}`);
      return JSON.parse(r.stdout);
    });
    cpSync(durableData, baselineData, { recursive: true });
    console.error(`bench: created ${INTERVIEWS} interviews in ${((Date.now() - t0) / 1000).toFixed(1)} s; loads: ${MODES.map((m) => m.name).join('; ')}`);

    const durable = await measure('durable', durableData, scripts, interviews, []);
    const baseline = await measure('baseline', baselineData, scripts, interviews, ['--no-sync']);

    for (const [m, mode] of MODES.entries()) {
      const rows = [['connections', 'durable turns/s', 'p50 ms', 'p99 ms', 'baseline turns/s', 'p50 ms', 'p99 ms', 'ratio']];
      for (const n of LEVELS) {
        const d = durable[m][n], b = baseline[m][n];
        rows.push([String(n), d.tps.toFixed(0), d.p50.toFixed(2), d.p99.toFixed(2), b.tps.toFixed(0), b.p50.toFixed(2), b.p99.toFixed(2),
          `${(b.tps / d.tps).toFixed(2)}x`]);
      }
      const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
      const line = (r) => r.map((c, i) => c.padStart(widths[i])).join(' | ');
      console.log(`\n${mode.name} (${mode.turns} turns per connection)`);
      console.log(line(rows[0]));
      console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
      for (const r of rows.slice(1)) console.log(line(r));
      if (durable[m][100] && baseline[m][100]) {
        const ratio = baseline[m][100].tps / durable[m][100].tps;
        console.log(`target at 100 connections: ratio under 3x: ${ratio < 3 ? 'met' : 'MISSED'} (${ratio.toFixed(2)}x); ` +
          `durable p99 under 20 ms: ${durable[m][100].p99 < 20 ? 'met' : 'MISSED'} (${durable[m][100].p99.toFixed(2)} ms)`);
      }
    }
    console.log('\nratio = baseline turns/s / durable turns/s (1.00x: durability is free). Baseline: serve --no-sync.');
  } finally {
    for (const d of [scripts, durableData, baselineData]) rmSync(d, { recursive: true, force: true });
  }
}

main().then(() => process.exit(0), (e) => { console.error(`bench: ${e.stack || e}`); process.exit(1); });
