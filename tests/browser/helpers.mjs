// Shared by the browser tests: Debian's Chromium through playwright-core, a page per test with a
// screenshot under tests/browser/artifacts/ when the test fails, a free fixed port for restart tests,
// and the demo interview's questions so every test reads as the conversation it drives.
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { startServer } from '../lib/server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const artifacts = path.join(here, 'artifacts');
export const www = process.env.INTERVIEWD_WWW || path.resolve(here, '..', '..', 'www', 'dist');

export const Q = {
  welcome: /Hi Ada! This is a short demo interview\./,
  language: 'Which language do you use most?',
  years: (lang) => `How many years have you worked with ${lang}?`,
  proud: 'What is a piece of work you are proud of?',
  end: 'Thanks! That is the end of the demo.',
};

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

// A free TCP port on 127.0.0.1 (bound, then released) for a server that must come back on the same
// origin the page was loaded from.
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

// test() with a fresh browser context and page; on failure saves a full-page screenshot and the
// page's console log next to it, then fails with the original error.
export function pageTest(getBrowser, name, fn, opts = {}) {
  test(name, { timeout: 90000, ...opts }, async () => {
    const context = await getBrowser().newContext({ viewport: { width: 390, height: 780 } });
    const page = await context.newPage();
    page.setDefaultTimeout(20000);
    const consoleLog = [];
    page.on('console', (m) => consoleLog.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => consoleLog.push(`pageerror: ${e.message}`));
    try {
      await fn(page, { context, consoleLog });
    } catch (err) {
      try {
        mkdirSync(artifacts, { recursive: true });
        const file = path.join(artifacts, `${name.replace(/[^a-z0-9]+/gi, '_').slice(0, 80)}.png`);
        await page.screenshot({ path: file, fullPage: true });
        err.message += `\n  screenshot: ${file}\n  console:\n    ${consoleLog.join('\n    ')}`;
      } catch { /* the page may be gone */ }
      throw err;
    } finally {
      await context.close();
    }
  });
}

// --- page helpers (conditions, never sleeps) ---

export const status = (page) => page.getByTestId('status');

export async function waitConnected(page) {
  await page.locator('[data-testid="status"][data-state="connected"]').waitFor();
}

export async function waitBot(page, text) {
  await page.getByTestId('msg-bot').filter({ hasText: text }).last().waitFor();
}

export async function typeAnswer(page, text) {
  const box = page.getByLabel('Your answer');
  await box.fill(text);
  await box.press('Enter');
}

// The candidate messages of `interviewd show ID --json`, wherever that JSON keeps them.
export function candidateTexts(shown) {
  const out = [];
  const walk = (v) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      if (v.role === 'candidate' && typeof v.text === 'string') out.push(v.text);
      else Object.values(v).forEach(walk);
    }
  };
  walk(shown);
  return out;
}

// Registers a test file's hooks: one Chromium and one server (--www set, plus serverOptions) shared by its
// tests, both stopped after them. Returns the object their browser and server are set on.
export function browserSuite(serverOptions = {}) {
  const suite = { browser: null, server: null };
  before(async () => {
    suite.browser = await launch();
    suite.server = await startServer({ www, ...serverOptions });
  });
  after(async () => {
    await suite.browser?.close();
    if (suite.server) { await suite.server.stop(); suite.server.cleanup(); }
  });
  return suite;
}

// WCAG contrast as rendered, every ancestor's background composited over the white canvas. Runs in the
// page. part 'text' (the default): the element's text against its background, ancestors' opacity included;
// returns the ratio. part 'ring': its focus outline against what the ring is drawn over (it sits outside the
// element, on the parent's background); returns { style, width, ratio }.
export function renderedContrast(el, part = 'text') {
  const parse = (c) => { const m = c.match(/[\d.]+/g).map(Number); return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; };
  const over = (top, below) => [0, 1, 2].map((i) => top[i] * top[3] + below[i] * (1 - top[3]));
  const lerp = (a, b, t) => [0, 1, 2].map((i) => a[i] * (1 - t) + b[i] * t);
  const lum = (rgb) => { const [r, g, b] = rgb.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const ratio = (x, y) => (Math.max(lum(x), lum(y)) + 0.05) / (Math.min(lum(x), lum(y)) + 0.05);
  const chain = [];
  for (let n = el; n && n.nodeType === 1; n = n.parentElement) chain.unshift(n);
  const styles = chain.map((n) => getComputedStyle(n));
  const own = styles[styles.length - 1];
  if (part === 'ring') {
    const below = styles.slice(0, -1).reduce((acc, st) => over(parse(st.backgroundColor), acc), [255, 255, 255]);
    return { style: own.outlineStyle, width: parseFloat(own.outlineWidth), ratio: ratio(over(parse(own.outlineColor), below), below) };
  }
  const ink = parse(own.color);
  const render = (i, below, text) => {
    if (i === chain.length) return text ? over(ink, below) : below;
    const inner = render(i + 1, over(parse(styles[i].backgroundColor), below), text);
    return lerp(below, inner, Number(styles[i].opacity));
  };
  return ratio(render(0, [255, 255, 255], true), render(0, [255, 255, 255], false));
}

// The focused element draws a focus ring one can see: an outline at least 2 px wide and 3:1 against what
// it is drawn over. `what` names the element in the failure.
export async function assertFocusRing(page, what) {
  const ring = await page.locator(':focus').evaluate(renderedContrast, 'ring');
  assert.notEqual(ring.style, 'none', `${what}: a focus outline is drawn`);
  assert.ok(ring.width >= 2, `${what}: the focus outline is ${ring.width}px wide`);
  assert.ok(ring.ratio >= 3, `${what}: the focus outline's contrast is ${ring.ratio.toFixed(2)}:1, below 3:1`);
}
