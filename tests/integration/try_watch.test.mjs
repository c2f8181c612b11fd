// `interviewd try FILE --answers FILE --watch`: the author keeps the conversation in view while writing.
// Every save of the script or of the answers plays it again; a save that breaks the script shows the error
// and the watch carries on; Ctrl-C stops it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { bin, cli, tempDir } from '../lib/server.mjs';

// Output of a running process, and a way to wait until it holds something (bounded, no sleeps).
function watchProcess(args) {
  const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const waiters = [];
  const onData = (chunk) => {
    out += chunk;
    for (const w of [...waiters]) if (w.pred(out)) { waiters.splice(waiters.indexOf(w), 1); clearTimeout(w.timer); w.resolve(); }
  };
  proc.stdout.on('data', onData);
  proc.stderr.on('data', onData);
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => {
    for (const w of waiters.splice(0)) { clearTimeout(w.timer); w.reject(new Error(`exited (${code ?? signal}) before ${w.what}; output:\n${out}`)); }
    resolve({ code, signal });
  }));
  return {
    proc, exited,
    get out() { return out; },
    until(pred, what, ms = 10000) {
      if (pred(out)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const w = { pred, what, resolve, reject, timer: setTimeout(() => reject(new Error(`no ${what} within ${ms} ms; output:\n${out}`)), ms) };
        waiters.push(w);
      });
    },
  };
}

const count = (text, needle) => text.split(needle).length - 1;
const WATCHING = '-- watching';

test('try --watch plays the script again on every save, survives a broken save, and stops on Ctrl-C', async () => {
  const dir = tempDir('interviewd-watch-');
  const script = path.join(dir, 'pets.lua');
  const answers = path.join(dir, 'pets.answers');
  writeFileSync(script, 'local pet = choose("Cats or dogs?", { "Cats", "Dogs" })\nfinish("Thanks!")\n');
  writeFileSync(answers, 'Hello\nDogs\n');
  const w = watchProcess(['try', script, '--answers', answers, '--watch']);
  try {
    await w.until((o) => o.includes('end     Thanks!') && o.includes(WATCHING), 'first play');

    // An editor that saves by writing a new file and renaming it over the old one.
    writeFileSync(`${script}.tmp`, 'local pet = choose("Cats or dogs?", { "Cats", "Dogs" })\nfinish("Thanks, " .. pet .. " person!")\n');
    renameSync(`${script}.tmp`, script);
    await w.until((o) => o.includes('end     Thanks, Dogs person!') && count(o, WATCHING) >= 2, 'a replay after the script was saved');

    writeFileSync(answers, 'Hello\nCats\n');
    await w.until((o) => o.includes('end     Thanks, Cats person!') && count(o, WATCHING) >= 3, 'a replay after the answers were saved');

    writeFileSync(script, 'local pet = choose("Cats or dogs?", { "Cats", "Dogs" }\n');
    await w.until((o) => /pets\.lua:\d+: .*expected/.test(o) && count(o, WATCHING) >= 4, 'the syntax error of a broken save');
    assert.equal(w.proc.exitCode, null, 'a broken save does not end the watch');

    w.proc.kill('SIGINT');
    const exit = await w.exited;
    assert.equal(exit.signal, 'SIGINT');
  } finally {
    w.proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('try --watch without --answers is a usage error that says what to add', async () => {
  const r = await cli(['try', 'scripts/demo.lua', '--watch']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--watch replays an answers file: add --answers FILE/);
});
