// Small fixtures shared by the integration tests and the benchmark: temp scripts directories holding
// scripts written inline, so a test states the exact script it drives.
import { copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { scriptsDir, tempDir } from './server.mjs';

// Returns a new temp directory holding NAME.lua for each entry of scripts ({ name: source }), plus a
// copy of the repository's demo.lua when withDemo is set.
export function scriptsDirWith(scripts, { withDemo = false } = {}) {
  const dir = tempDir('interviewd-scripts-');
  for (const [name, src] of Object.entries(scripts)) writeFileSync(path.join(dir, `${name}.lua`), src);
  if (withDemo) copyFileSync(path.join(scriptsDir, 'demo.lua'), path.join(dir, 'demo.lua'));
  return dir;
}
