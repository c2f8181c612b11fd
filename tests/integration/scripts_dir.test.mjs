// serve --scripts DIR: the server lists the directory at startup, says how many scripts it holds and
// warns, by file and line, of each that does not compile; a --scripts directory that does not exist is
// a usage error. The CLI's `new` reads the same directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { cli, startServer, tempDir } from '../lib/server.mjs';
import { scriptsDirWith } from '../lib/fixtures.mjs';

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('serve logs how many scripts --scripts holds and warns of the one that does not compile, by file and line', async () => {
  const scripts = scriptsDirWith({ bad: "say('one')\nsay('two'\nsay('three')\n" }, { withDemo: true });
  const server = await startServer({ scripts });
  try {
    assert.match(server.log, new RegExp(`scripts: 2 found in ${escape(scripts)}`), server.log);
    const warning = server.log.split('\n').find((l) => l.includes('WARN') && l.includes('bad.lua'));
    assert.ok(warning, `a warning names bad.lua:\n${server.log}`);
    assert.match(warning, new RegExp(`${escape(path.join(scripts, 'bad.lua'))}:3:`));
    assert.ok(!/WARN.*demo\.lua/.test(server.log), `no warning about the good script:\n${server.log}`);
    // The server still runs, and interviews of the good script in that directory are created as before.
    const iv = await server.newInterview('demo');
    assert.match(iv.interview_id, /^[0-9a-f]{16}$/);
  } finally {
    await server.stop();
    server.cleanup();
    rmSync(scripts, { recursive: true, force: true });
  }
});

test('serve with a --scripts directory that does not exist exits 2 with a sentence naming it', async () => {
  const data = tempDir();
  const missing = path.join(data, 'no-such-scripts');
  try {
    // A serve that wrongly started would run until killed: the timeout turns that into a failure.
    const r = await cli(['serve', '--listen', '127.0.0.1:0', '--data', data, '--scripts', missing], { timeout: 5000 });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`${escape(missing)}: No such file or directory`));
    assert.ok(!r.stderr.includes('(-'), r.stderr);
    assert.ok(!/listening on/.test(r.stderr), 'it never listened');
  } finally { rmSync(data, { recursive: true, force: true }); }
});
