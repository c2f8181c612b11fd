// Starts and stops the real build/interviewd for tests: an ephemeral port on 127.0.0.1, a fresh data
// directory, and the repository's scripts unless told otherwise. Every server started here is killed
// when the test process exits, so a failing test never leaves one behind.
import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repo = path.resolve(here, '..', '..');
export const bin = process.env.INTERVIEWD_BIN || path.join(repo, 'build', 'interviewd');
export const scriptsDir = path.join(repo, 'scripts');
const run = promisify(execFile);
const live = new Set();
process.on('exit', () => { for (const p of live) { try { p.kill('SIGKILL'); } catch { /* gone */ } } });

export function tempDir(prefix = 'interviewd-test-') {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

// Runs a CLI command; resolves { code, stdout, stderr } (never rejects on a non-zero exit). opts.input,
// if given, is written to its stdin (e.g. a password for --password-stdin); the rest go to execFile.
export async function cli(args, { input, ...opts } = {}) {
  try {
    const running = run(bin, args, { timeout: 30000, ...opts });
    if (input !== undefined) running.child.stdin.end(input);
    const { stdout, stderr } = await running;
    return { code: 0, stdout, stderr };
  } catch (e) {
    if (typeof e.code !== 'number') throw e;
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

// Starts `interviewd serve`. Resolves once it logs the port it listens on. `listen` defaults to an
// ephemeral port; a test that restarts the server under an open page passes a fixed "127.0.0.1:PORT".
export async function startServer({ dataDir, scripts = scriptsDir, www, listen = '127.0.0.1:0', extraArgs = [], env = {} } = {}) {
  const ownsData = !dataDir;
  dataDir = dataDir || tempDir();
  const args = ['serve', '--listen', listen, '--data', dataDir, '--scripts', scripts, ...extraArgs];
  if (www) args.push('--www', www);
  const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  live.add(proc);
  let log = '';
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => { live.delete(proc); resolve({ code, signal }); }));
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within 10 s:\n${log}`)), 10000);
    const onData = (chunk) => {
      log += chunk;
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(log);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    exited.then(({ code, signal }) => { clearTimeout(timer); reject(new Error(`server exited (${code ?? signal}) before listening:\n${log}`)); });
  });
  const server = {
    proc, port, dataDir, exited,
    get log() { return log; },
    http: `http://127.0.0.1:${port}`,
    ws: `ws://127.0.0.1:${port}`,
    // Creates an interview through the CLI (the server is running: LMDB is multi-process).
    async newInterview(script = 'demo', candidate = 'Ada') {
      const r = await cli(['new', '--script', script, '--candidate', candidate, '--json', '--data', dataDir,
        '--scripts', scripts, '--url', `http://127.0.0.1:${port}`]);
      if (r.code !== 0) throw new Error(`interviewd new failed (${r.code}): ${r.stderr}`);
      return JSON.parse(r.stdout);
    },
    // SIGTERM and wait; resolves the exit status.
    // A sanitizer report in the server's log fails the test that stopped it: under `make sanitize` that is
    // how a memory error in the server becomes a red test rather than a line nobody reads.
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      const status = await exited;
      const report = /(ERROR: (Address|Leak|Thread)Sanitizer|runtime error:)[^\n]*/.exec(log);
      if (report) throw new Error(`sanitizer report in the server log: ${report[0]}\n${log.slice(-4000)}`);
      return status;
    },
    cleanup() { if (ownsData) rmSync(dataDir, { recursive: true, force: true }); },
  };
  return server;
}
