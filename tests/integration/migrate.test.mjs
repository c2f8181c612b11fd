// A bug in a live script strands a candidate (script_error, the answer not recorded). Fixing the file and
// running `interviewd migrate ID` while the server runs moves the interview to the fixed script; the
// candidate sends the same answer again on the same connection and the interview goes on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, cli } from '../lib/server.mjs';
import { scriptsDirWith } from '../lib/fixtures.mjs';
import { connect } from '../lib/ws.mjs';

const buggy = 'local team = ask("Which team?")\nlocal size = ask_number("How big is it?")\nnote("team " .. team .. " of " .. sizee)\nfinish("Thanks!")\n';
const fixed = buggy.replace('sizee', 'size');

test('a stranded interview continues on the same connection after its script is fixed and migrated', async () => {
  const scripts = scriptsDirWith({ team: buggy });
  const server = await startServer({ scripts });
  const c = await (async () => {
    const iv = await server.newInterview('team');
    return { iv, ws: await connect(`${server.ws}/v1?token=${iv.token}`) };
  })();
  const id = c.iv.interview_id;
  try {
    await c.ws.turn(id, 'Hello');
    await c.ws.turn(id, 'Platform');
    const failed = await c.ws.turn(id, '6');
    assert.equal(failed.at(-1).code, 'script_error', JSON.stringify(failed));

    const same = await cli(['migrate', id, '--data', server.dataDir, '--scripts', scripts]);
    assert.match(same.stdout, /already runs the current/, 'the file is unchanged: nothing to migrate to');
    assert.equal((await c.ws.turn(id, '6')).at(-1).code, 'script_error', 'still stranded before the fix');

    writeFileSync(path.join(scripts, 'team.lua'), fixed);
    const migrated = await cli(['migrate', id, '--data', server.dataDir, '--scripts', scripts]);
    assert.equal(migrated.code, 0, migrated.stdout + migrated.stderr);
    assert.match(migrated.stdout, /migrated/);

    const after = await c.ws.turn(id, '6');
    assert.equal(after.at(-1).kind, 'end', JSON.stringify(after));
    assert.equal(after.at(-1).message, 'Thanks!');
    const shown = JSON.parse((await cli(['show', id, '--json', '--data', server.dataDir])).stdout);
    assert.deepEqual(shown.notes, ['team Platform of 6']);
    assert.equal(shown.last_error ?? null, null, 'the error is cleared by the migration');
    assert.equal(shown.transcript.filter((t) => t.role === 'candidate' && t.text === '6').length, 1);
  } finally {
    c.ws.close();
    await server.stop();
    server.cleanup();
    rmSync(scripts, { recursive: true, force: true });
  }
});

// The script spends a few hundred milliseconds on "slow", long enough for a migration to commit while
// the turn runs. The turn must not write the old script hash back over the migration.
const slow = (second) => `local a = ask("First?")\nif a == "slow" then local x = 0 for i = 1, 6000000 do x = x + i end end\nask("${second}")\nfinish("Done.")\n`;

test('a migration committed while a turn runs is not undone by that turn', async () => {
  const scripts = scriptsDirWith({ slow: slow('Second?') });
  const server = await startServer({ scripts });
  try {
    const iv = await server.newInterview('slow');
    const id = iv.interview_id;
    const c = await connect(`${server.ws}/v1?token=${iv.token}`);
    try {
      await c.turn(id, 'Hello');
      writeFileSync(path.join(scripts, 'slow.lua'), slow('Second question, reworded?'));
      const turn = c.turn(id, 'slow', { client_msg_id: 'slow-1' });
      const migrated = await cli(['migrate', id, '--data', server.dataDir, '--scripts', scripts]);
      const frames = await turn;
      const shown = JSON.parse((await cli(['show', id, '--json', '--data', server.dataDir])).stdout);
      if (migrated.code === 0) {
        // Whatever the interleaving, the record keeps the migration.
        assert.notEqual(shown.script_hash, undefined);
        const again = frames.at(-1).type === 'error'
          ? await c.turn(id, 'slow', { client_msg_id: 'slow-1' })
          : frames;
        if (frames.at(-1).type === 'error') assert.equal(frames.at(-1).code, 'unavailable');
        const after = JSON.parse((await cli(['show', id, '--json', '--data', server.dataDir])).stdout);
        assert.match(migrated.stdout, new RegExp(`migrated ${id} to ${after.script_hash.slice(0, 12)}`),
          'the interview still runs the migrated script');
        assert.ok(again.at(-1).kind === 'ask');
      } else {
        // The turn committed first: migrate saw it and refused; nothing half-done.
        assert.match(migrated.stderr + migrated.stdout, /moved on|run migrate again/);
        assert.equal(frames.at(-1).message, 'Second?');
      }
    } finally { c.close(); }
  } finally {
    await server.stop();
    server.cleanup();
    rmSync(scripts, { recursive: true, force: true });
  }
});

// The trial's case: the note's format changed in the edit. migrate recomputes the results from the
// recorded answers, so the record holds the new-format note; --dry-run prints the same changes and
// leaves the record byte for byte as it was.
const noted = (fmt) => `local team = ask("Which team?", {id = "team"})\nnote(${fmt})\n`
  + 'local size = ask_number("How big is it?", {id = "size"})\nfinish("Thanks!")\n';

test('migrate recomputes the results under the new script; --dry-run shows it and writes nothing', async () => {
  const scripts = scriptsDirWith({ team: noted('"team " .. team') });
  const server = await startServer({ scripts });
  const iv = await server.newInterview('team');
  const id = iv.interview_id;
  const ws = await connect(`${server.ws}/v1?token=${iv.token}`);
  const show = async () => {
    const r = await cli(['show', id, '--json', '--data', server.dataDir]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };
  try {
    await ws.turn(id, 'Hello');
    await ws.turn(id, 'Platform');
    writeFileSync(path.join(scripts, 'team.lua'), noted('"Team: " .. team'));
    const args = [id, '--data', server.dataDir, '--scripts', scripts];

    const before = await show();
    const dry = await cli(['migrate', ...args, '--dry-run']);
    assert.equal(dry.code, 0, dry.stdout + dry.stderr);
    assert.ok(dry.stdout.includes(`${id} (Ada): different\n  note removed: "team Platform"\n  note added: "Team: Platform"\n`), dry.stdout);
    assert.match(dry.stdout, /dry run: .* nothing was written/);
    assert.equal(await show(), before, 'a dry run leaves the record as it was');

    const migrated = await cli(['migrate', ...args]);
    assert.equal(migrated.code, 0, migrated.stdout + migrated.stderr);
    assert.ok(migrated.stdout.includes('  note added: "Team: Platform"\n'), migrated.stdout);
    assert.match(migrated.stdout, new RegExp(`migrated ${id} to [0-9a-f]{12}, its results recomputed`));
    const after = JSON.parse(await show());
    assert.deepEqual(after.notes, ['Team: Platform']);
    assert.notEqual(after.script_hash, JSON.parse(before).script_hash);

    const end = await ws.turn(id, '6');
    assert.equal(end.at(-1).message, 'Thanks!');
  } finally {
    ws.close();
    await server.stop();
    server.cleanup();
    rmSync(scripts, { recursive: true, force: true });
  }
});

// Inserting an option before the one a candidate picked by its number: "4" would now mean another
// option. migrate refuses and says so, and the interview stays exactly as it was.
const langs = (list) => `local lang = choose("Which language?", {${list}}, {id = "lang"})\n`
  + 'local why = ask("Why " .. lang .. "?", {id = "why"})\nfinish("Thanks!")\n';

test('migrate refuses a choose() list where the recorded answer "4" would pick another option, and says so', async () => {
  const scripts = scriptsDirWith({ lang: langs('"C", "Lua", "Python", "Go"') });
  const server = await startServer({ scripts });
  const iv = await server.newInterview('lang');
  const id = iv.interview_id;
  const ws = await connect(`${server.ws}/v1?token=${iv.token}`);
  try {
    await ws.turn(id, 'Hello');
    const why = await ws.turn(id, '4');
    assert.equal(why.at(-1).message, 'Why Go?');
    writeFileSync(path.join(scripts, 'lang.lua'), langs('"C", "Lua", "Python", "Rust", "Go"'));
    const before = await cli(['show', id, '--json', '--data', server.dataDir]);
    const r = await cli(['migrate', id, '--data', server.dataDir, '--scripts', scripts]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.ok(r.stderr.includes(`cannot migrate ${id}: seq 3: the answer "4" picked "Go" from the old list; in the new list 4 is "Rust"\n`), r.stderr);
    const after = await cli(['show', id, '--json', '--data', server.dataDir]);
    assert.equal(after.stdout, before.stdout, 'a refused migration changes nothing');
  } finally {
    ws.close();
    await server.stop();
    server.cleanup();
    rmSync(scripts, { recursive: true, force: true });
  }
});
