// SPDX-License-Identifier: MIT
// tests/web/restart.js - settings that wait for a restart, through the
// admin page's last Settings section (src/ctl/web/restart.js), the way a
// person would: open it, type, press the section's Save; then read what
// the page shows and what the daemon says. The e2e scenario web-restart
// restarts passgated between two runs and checks traffic.
//
//   node tests/web/restart.js URL PASSWORD STEP...
//
// STEP is one of
//   set:SECTION:key=value        saved: the page says "pending until restart"
//                                on the field and lists it, the diff shows
//                                "+key = value", the daemon's file has it
//                                and its running value is still the old one
//   bad:SECTION:key=value:WORDS  the page shows WORDS under the field, marks
//                                it invalid and focuses it; the file keeps its value
//   live:SECTION:key=value       after a restart: nothing pending, the field
//                                shows value and "running: value"
//   discard                      "Discard pending changes": nothing pending
//                                after, the daemon agrees
//   axe:WIDTH                    axe-core on the section (opened, as it is
//                                now), no serious violation, no sideways scroll
//   shot:OUT.png:WIDTH           the section opened
// Prints "restart: ..." or "FAIL: reason".
'use strict';
const fs = require('fs');
const { sleep, apiGet, login, run, runSteps, splitLast, axe, axeJudge } = require('./lib');

const [url, password, ...steps] = process.argv.slice(2);
if (!url || !password || !steps.length) {
  console.error('usage: restart.js URL PASSWORD STEP...');
  process.exit(2);
}

async function open(page) {
  await page.waitForSelector('#set-restart', { state: 'attached' });
  if (!(await page.$eval('#set-restart', (d) => d.open))) await page.click('#set-restart > summary');
}

async function save(page, section, key, value) {
  const msg = `#rst-${section}-msg`;
  await open(page);
  await page.fill(`#rst-${section}-${key}`, value);
  await page.$eval(msg, (m) => { m.textContent = ''; });
  await page.click(`#rst-${section} button[type=submit]`);
  await page.waitForFunction((m) => document.querySelector(m).textContent !== '', msg, { timeout: 10000 });
  return page.textContent(msg);
}

function kv(spec) {
  const i = spec.indexOf('=');
  return [spec.slice(0, i), spec.slice(i + 1)];
}

async function doSet(page, section, spec, said) {
  const [k, v] = kv(spec);
  const before = await apiGet(url, password, 'config/restart');
  const m = await save(page, section, k, v);
  if (!m.includes('pending until restart')) throw new Error(`${section}.${k}: Save said '${m}'`);
  const now = await page.textContent(`#rst-${section}-${k}-now`);
  if (!now.includes('pending until restart')) throw new Error(`${section}.${k}: the field says '${now}'`);
  const state = await page.textContent('#restart-state');
  if (!state.startsWith('Pending until restart') || !state.includes(`[${section}] ${k}`))
    throw new Error(`the page's pending line says '${state}'`);
  const diff = await page.textContent('#restart-diff');
  if (!(await page.isVisible('#restart-diff')) || !diff.includes(`+${k} = ${v}`))
    throw new Error(`the diff shown does not add '${k} = ${v}': '${diff.replace(/\n/g, '|')}'`);
  const r = await apiGet(url, password, 'config/restart');
  const s = r.settings[section][k];
  if (s.file !== v) throw new Error(`${section}.${k}: the file has '${s.file}', the page saved '${v}'`);
  if (s.running !== before.settings[section][k].running)
    throw new Error(`${section}.${k}: the running value changed to '${s.running}'`);
  said.push(`[${section}] ${k} = ${v} pending (running: ${s.running === null ? 'default' : s.running})`);
}

async function doBad(page, section, spec, words, said) {
  const [k, v] = kv(spec);
  const before = await apiGet(url, password, 'config/restart');
  const m = await save(page, section, k, v);
  const err = await page.textContent(`#rst-${section}-${k}-err`);
  if (!err.includes(words)) throw new Error(`${section}.${k}=${v}: the page said '${err}' ('${m}'), want '${words}'`);
  if ((await page.getAttribute(`#rst-${section}-${k}`, 'aria-invalid')) !== 'true')
    throw new Error(`${section}.${k}: not marked aria-invalid`);
  const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
  if (focused !== `rst-${section}-${k}`) throw new Error(`${section}.${k}: focus is on '${focused}'`);
  const after = await apiGet(url, password, 'config/restart');
  if (JSON.stringify(after.settings) !== JSON.stringify(before.settings))
    throw new Error(`${section}: a refused value changed the file`);
  // The shown value back as it was, for the steps after this one.
  const was = before.settings[section][k].file;
  await page.fill(`#rst-${section}-${k}`, was === null ? '' : was);
  said.push(`[${section}] ${k} = ${v} refused: '${err}'`);
}

async function doLive(page, section, spec, said) {
  const [k, v] = kv(spec);
  await open(page);
  await page.waitForFunction(() => !document.querySelector('#restart-state').textContent.startsWith('Log in'));
  const state = await page.textContent('#restart-state');
  if (!state.startsWith('Nothing waits')) throw new Error(`after the restart the page says '${state}'`);
  const val = await page.inputValue(`#rst-${section}-${k}`);
  const now = await page.textContent(`#rst-${section}-${k}-now`);
  if (val !== v || now !== `running: ${v}`)
    throw new Error(`${section}.${k}: the field shows '${val}', '${now}'; want '${v}', 'running: ${v}'`);
  if (await page.isVisible('#restart-diff')) throw new Error('a diff is still shown');
  said.push(`[${section}] ${k} = ${v} running, nothing pending`);
}

async function doDiscard(page, said) {
  await open(page);
  const before = await page.textContent('#restart-state');
  await page.click('#restart-discard');
  await page.waitForFunction(() => document.querySelector('#restart-state').textContent.startsWith('Nothing waits'));
  const r = await apiGet(url, password, 'config/restart');
  if (r.pending.length) throw new Error(`after Discard the daemon still has pending: ${r.pending.join(', ')}`);
  if (await page.isVisible('#restart-discard')) throw new Error('the Discard button is still shown');
  said.push(`discarded (${before.replace(/ \(saved to.*$/, '')})`);
}

async function wide(page, width) {
  await page.setViewportSize({ width, height: width < 600 ? 780 : 1000 });
  await open(page);
  await sleep(300);
  const w = await page.evaluate(() => document.documentElement.scrollWidth);
  if (w > width + 1) throw new Error(`${width}px: the page scrolls sideways (${w}px wide)`);
}

run(1280, 1000, 100000, async (page) => {
  await login(page, url, password);
  await page.waitForSelector('#rst-wan', { state: 'attached' });
  await page.waitForFunction(() => !document.querySelector('#restart-state').textContent.startsWith('Log in'));
  const said = [];
  await runSteps(steps, {
    set: (a, b) => doSet(page, a, b, said),
    bad: (a, b) => doBad(page, a, ...splitLast(b), said),
    live: (a, b) => doLive(page, a, b, said),
    discard: () => doDiscard(page, said),
    axe: async (a) => {
      await wide(page, Number(a));
      axeJudge(Number(a), await axe(page, '#set-restart'), said);
    },
    shot: async (a, b) => {
      await wide(page, Number(b));
      fs.writeFileSync(a, await (await page.$('#set-restart')).screenshot());
    },
  });
  return 'restart: ' + said.join('; ');
});
