// SPDX-License-Identifier: MIT
// tests/web/lib.js - what the page scenarios' drivers share: Debian's
// chromium under playwright-core (CHROMIUM overrides the path), a login
// through the page's own form, timed steps on stderr, and the API read
// with the same bearer password the page uses.
'use strict';

let chromium;
try {
  ({ chromium } = require('playwright-core'));
} catch (e) {
  console.log('FAIL: playwright-core is not installed (scripts/install-deps runs npm ci in tests/web)');
  process.exit(1);
}

const t0 = Date.now();
const step = (what) => console.error(`${((Date.now() - t0) / 1000).toFixed(1)}s ${what}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function apiGet(url, password, path) {
  const r = await fetch(url + 'api/v1/' + path, { headers: { Authorization: 'Bearer ' + password } });
  if (!r.ok) throw new Error(`GET ${path}: ${r.status}`);
  return r.json();
}

async function login(page, url, password) {
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForSelector('#login');
  await page.fill('#password', password);
  await page.click('#login button');
  try {
    await page.waitForSelector('#who', { state: 'visible', timeout: 10000 });
  } catch (e) {
    throw new Error('login did not succeed: ' + (await page.textContent('#summary')));
  }
  step('logged in');
}

// Run fn(page) in a fresh browser at width x height; print its result line,
// or "FAIL: reason" and exit 1. timeoutMs bounds the whole run; args are
// extra Chromium switches.
function run(width, height, timeoutMs, fn, args = []) {
  setTimeout(() => { console.log('FAIL: timed out'); process.exit(1); }, timeoutMs).unref();
  (async () => {
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
        '--disable-background-networking', ...args],
      timeout: 30000,
    });
    step('browser up');
    let code = 0;
    try {
      const page = await browser.newPage({ viewport: { width, height } });
      page.setDefaultTimeout(15000);
      page.on('pageerror', (e) => console.error('page error: ' + e.message));
      console.log(await fn(page));
    } catch (e) {
      console.log('FAIL: ' + e.message.split('\n')[0]);
      code = 1;
    }
    await browser.close().catch(() => {});
    process.exit(code);
  })().catch((e) => { console.log('FAIL: ' + e.message); process.exit(1); });
}

// A scenario's steps, "kind:a:b" each, run in order and timed: kinds[kind]
// is called with a, b (all after a, colons kept) and all after the kind.
// An unknown kind throws.
async function runSteps(steps, kinds) {
  for (const s of steps) {
    const [kind, a, ...rest] = s.split(':');
    if (!Object.prototype.hasOwnProperty.call(kinds, kind)) throw new Error('unknown step ' + s);
    await kinds[kind](a, rest.join(':'), s.slice(kind.length + 1));
    step(s);
  }
}

// "FIELD:VALUE:EXPECTED" with colons in VALUE: [VALUE, EXPECTED] of b.
function splitLast(b) {
  const i = b.lastIndexOf(':');
  return [b.slice(0, i), b.slice(i + 1)];
}

// The trimmed text of the element with this id.
const text = (page, id) => page.textContent('#' + id).then((s) => s.trim());

// A panel against the API: check() reads both and returns { diffs, value };
// tried up to tries times, pauseMs apart (the page refreshes on a timer, so
// one read may fall between the API's change and the panel's). Returns the
// value of the first try without differences, or throws with the last ones.
async function untilSame(what, tries, pauseMs, check) {
  let why = '';
  for (let i = 0; i < tries; i++) {
    if (i) await sleep(pauseMs);
    const { diffs, value } = await check();
    if (!diffs.length) return value;
    why = diffs.join('; ');
  }
  throw new Error(`the panel differs from ${what}: ${why}`);
}

// axe-core (npm, tests/web/package.json) in the page, evaluated through the
// debugger protocol (the page's CSP rightly refuses inline scripts), on the
// whole document or the element of selector. Returns the violations; throws
// when axe-core is missing (a check that cannot run must not pass).
let axeSource = null;
async function axe(page, selector) {
  if (!axeSource) {
    try {
      axeSource = require('fs').readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
    } catch (e) {
      throw new Error('axe-core is not installed (scripts/install-deps runs npm ci in tests/web)');
    }
  }
  await page.evaluate(axeSource);
  return page.evaluate(async (sel) => {
    const r = await window.axe.run(sel ? document.querySelector(sel) : document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    });
    return r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help, n: v.nodes.length,
      where: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    }));
  }, selector || null);
}

// Any "serious" or "critical" violation fails; all are printed on stderr.
function axeJudge(width, violations, notes) {
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  for (const v of violations)
    console.error(`${width}px axe ${v.impact} ${v.id} (${v.n}): ${v.help} at ${v.where.join(', ')}`);
  if (bad.length)
    throw new Error(`${width}px: ${bad.length} serious axe violations: ` +
      bad.map((v) => `${v.id} at ${v.where[0]}`).join('; '));
  notes.push(`${width}px: ${violations.length} minor axe findings`);
}

module.exports = {
  step, sleep, apiGet, login, run, runSteps, splitLast, text, untilSame, axe, axeJudge,
};
