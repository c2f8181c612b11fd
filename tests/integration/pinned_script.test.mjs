// An interview is pinned to the script source it was created with: editing the file changes new interviews
// only, also across a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startServer } from '../lib/server.mjs';
import { scriptsDirWith } from '../lib/fixtures.mjs';
import { connect } from '../lib/ws.mjs';

const version = (n) => `local a = ask("Version ${n}: first?")\nlocal b = ask("Version ${n}: second?")\nfinish("Version ${n}: done.")\n`;

test('editing a script after creating an interview: the interview keeps the old text, a new one gets the new', async () => {
  const scripts = scriptsDirWith({ pin: version(1) });
  let server = await startServer({ scripts });
  try {
    const old = await server.newInterview('pin');
    const started = await server.newInterview('pin');
    const s = await connect(`${server.ws}/v1?token=${started.token}`);
    assert.equal((await s.turn(started.interview_id, 'Hi')).at(-1).message, 'Version 1: first?');
    s.close();

    writeFileSync(path.join(scripts, 'pin.lua'), version(2));
    const fresh = await server.newInterview('pin');

    const a = await connect(`${server.ws}/v1?token=${old.token}`);
    const b = await connect(`${server.ws}/v1?token=${fresh.token}`);
    try {
      assert.equal((await a.turn(old.interview_id, 'Hi')).at(-1).message, 'Version 1: first?', 'created before the edit: old text');
      assert.equal((await b.turn(fresh.interview_id, 'Hi')).at(-1).message, 'Version 2: first?', 'created after the edit: new text');
    } finally { a.close(); b.close(); }

    // After a restart the running interviews are rebuilt from their pinned source, not the file.
    await server.stop();
    server = await startServer({ scripts, dataDir: server.dataDir });
    const s2 = await connect(`${server.ws}/v1?token=${started.token}`);
    try {
      assert.equal((await s2.turn(started.interview_id, 'one')).at(-1).message, 'Version 1: second?');
      const end = await s2.turn(started.interview_id, 'two');
      assert.equal(end.at(-1).message, 'Version 1: done.');
      assert.equal(end.at(-1).done, true);
    } finally { s2.close(); }
  } finally {
    await server.stop();
    rmSync(server.dataDir, { recursive: true, force: true });
    rmSync(scripts, { recursive: true, force: true });
  }
});
