// No silent half-start: `serve` without a page build logs a WARN naming the missing file and how to build
// it, and still serves the WebSocket API at /v1; with a page build there is no such warning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bin, startServer, tempDir, scriptsDir } from '../lib/server.mjs';
import { connect } from '../lib/ws.mjs';

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('serve with --www lacking index.html warns naming the file and still serves /v1', async () => {
  const www = tempDir('interviewd-www-');
  const server = await startServer({ www });
  try {
    const index = path.join(www, 'index.html');
    const warning = server.log.split('\n').find((l) => / WARN /.test(l) && l.includes(index));
    assert.ok(warning, `a WARN names ${index}:\n${server.log}`);
    assert.match(warning, /candidate page is not built: .* is missing; `make page` builds it/);
    // The half that is there works: an interview over /v1.
    const iv = await server.newInterview('demo');
    const c = await connect(iv.ws_url);
    try {
      const frames = await c.turn(iv.interview_id, 'hello');
      assert.equal(frames[0].type, 'response', JSON.stringify(frames));
    } finally { c.close(); }
    const page = await fetch(`${server.http}/`);
    assert.equal(page.status, 404);
  } finally {
    await server.stop();
    server.cleanup();
    rmSync(www, { recursive: true, force: true });
  }
});

test('serve with a page build says nothing about the page', async () => {
  const www = tempDir('interviewd-www-');
  writeFileSync(path.join(www, 'index.html'), '<!doctype html><title>t</title>');
  const server = await startServer({ www });
  try {
    assert.ok(!/page is not built/.test(server.log), server.log);
    assert.equal((await fetch(`${server.http}/`)).status, 200);
  } finally {
    await server.stop();
    server.cleanup();
    rmSync(www, { recursive: true, force: true });
  }
});

test('serve with the default --www, unbuilt, says to run `make page`', async () => {
  const cwd = tempDir(); // no www/dist here
  const proc = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--data', path.join(cwd, 'data'), '--scripts', scriptsDir],
    { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    let log = '';
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "listening on" within 10 s:\n${log}`)), 10000);
      proc.stderr.on('data', (chunk) => {
        log += chunk;
        if (/listening on /.test(log)) { clearTimeout(timer); resolve(); }
      });
      proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`serve exited ${code}:\n${log}`)); });
    });
    assert.match(log, new RegExp(` WARN  the candidate page is not built: ${escape('www/dist/index.html')} is missing; run \`make page\``), log);
  } finally {
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise((resolve) => proc.on('exit', resolve));
      proc.kill('SIGTERM');
      await exited;
    }
    rmSync(cwd, { recursive: true, force: true });
  }
});
