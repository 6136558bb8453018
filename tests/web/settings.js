// SPDX-License-Identifier: MIT
// tests/web/settings.js - change settings through the admin page's
// Settings panel (src/ctl/web/settings.js) the way a person would: open a
// section, type or tick, press its Save button; then read the daemon's
// configuration back. The e2e scenario web-settings checks in between
// that each change works on traffic.
//
//   node tests/web/settings.js URL PASSWORD STEP...
//
// STEP is one of
//   set:SECTION:key=value,key=value   (on/off tick or untick a box)
//   bad:SECTION:key=value:WORDS       the page must show WORDS under that
//                                     field, mark it invalid, save nothing
//   add:LIST:VALUE                    add a line to dhcp.host or dns.name
//   log:WORDS                         a line with WORDS shows in the page's
//                                     log (its Log section) within 15 s
//   nolog:WORDS                       none does, after the log's refresh
//   shot:OUT.png:WIDTH                the Settings panel opened, whole page
// Prints "settings: ..." or "FAIL: reason".
'use strict';
const fs = require('fs');
const { sleep, apiGet, login, run, runSteps, splitLast } = require('./lib');

const [url, password, ...steps] = process.argv.slice(2);
if (!url || !password || !steps.length) {
  console.error('usage: settings.js URL PASSWORD STEP...');
  process.exit(2);
}

async function open(page, section) {
  const det = `#set-${section}`;
  await page.waitForSelector(det, { state: 'attached' });
  if (!(await page.$eval(det, (d) => d.open))) await page.click(`${det} > summary`);
  return det;
}

async function fillFields(page, section, pairs) {
  for (const [k, v] of pairs) {
    const sel = `#set-${section}-${k}`;
    if ((await page.getAttribute(sel, 'type')) === 'checkbox') await page.setChecked(sel, v === 'on');
    else if ((await page.$eval(sel, (e) => e.tagName)) === 'SELECT') await page.selectOption(sel, v);
    else await page.fill(sel, v);
  }
}

async function save(page, section) {
  const msg = `#set-${section}-msg`;
  await page.$eval(msg, (m) => { m.textContent = ''; });
  await page.click(`#set-${section} form.settings button[type=submit]`);
  await page.waitForFunction((m) => document.querySelector(m).textContent !== '', msg, { timeout: 10000 });
  return page.textContent(msg);
}

// "10m", "2h4m", "60" as seconds (the daemon answers durations in seconds).
function seconds(v) {
  if (!/^(\d+[smhd]?)+$/.test(v)) return null;
  let n = 0;
  for (const [, num, unit] of v.matchAll(/(\d+)([smhd]?)/g))
    n += Number(num) * ({ '': 1, s: 1, m: 60, h: 3600, d: 86400 })[unit];
  return String(n);
}

function asText(v) {
  if (v === true) return 'on';
  if (v === false) return 'off';
  if (Array.isArray(v)) return v.join(', ');
  return v === null ? '' : String(v);
}

async function doSet(page, section, spec, said) {
  const pairs = spec.split(',').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]);
  await open(page, section);
  await fillFields(page, section, pairs);
  const m = await save(page, section);
  if (!m.startsWith('saved')) throw new Error(`${section}: Save said '${m}'`);
  const c = await apiGet(url, password, 'config');
  for (const [k, v] of pairs) {
    const got = asText(c[section][k]);
    if (got !== v && got !== seconds(v))
      throw new Error(`${section}.${k}: the daemon has '${got}' after the page saved '${v}'`);
  }
  said.push(`${section}: ${spec}`);
}

async function doBad(page, section, spec, words, said) {
  const [k, v] = [spec.slice(0, spec.indexOf('=')), spec.slice(spec.indexOf('=') + 1)];
  const before = await apiGet(url, password, 'config');
  await open(page, section);
  await fillFields(page, section, [[k, v]]);
  const m = await save(page, section);
  const err = await page.textContent(`#set-${section}-${k}-err`);
  const invalid = await page.getAttribute(`#set-${section}-${k}`, 'aria-invalid');
  if (!err.includes(words)) throw new Error(`${section}.${k}=${v}: the page said '${err}' (message '${m}'), want '${words}'`);
  if (invalid !== 'true') throw new Error(`${section}.${k}: not marked aria-invalid`);
  const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
  if (focused !== `set-${section}-${k}`) throw new Error(`${section}.${k}: focus is on '${focused}', not the field`);
  const after = await apiGet(url, password, 'config');
  if (JSON.stringify(after[section]) !== JSON.stringify(before[section]))
    throw new Error(`${section}: a refused value changed the configuration`);
  // Put the shown value back as it was, for the steps after this one.
  await fillFields(page, section, [[k, asText(before[section][k])]]);
  said.push(`${section}.${k}=${v} refused: '${err}'`);
}

async function doAdd(page, list, value, said) {
  const id = 'list-' + list.replace('.', '-');
  await open(page, list.split('.')[0]);
  await page.fill(`#${id}-new`, value);
  await page.click(`#${id} button[type=submit]`);
  await page.waitForFunction((m) => document.querySelector(m).textContent !== '', `#${id}-msg`);
  const m = await page.textContent(`#${id}-msg`);
  if (m !== 'added') throw new Error(`${list}: Add said '${m}'`);
  await page.waitForFunction(([sel, v]) => [...document.querySelectorAll(sel)].some((c) => c.textContent === v),
    [`#${id} li code`, value]);
  const r = await apiGet(url, password, 'lists/' + list);
  if (!r.items.some((i) => i.value === value)) throw new Error(`${list}: the daemon does not list '${value}'`);
  said.push(`${list} += ${value}`);
}

// The page's log (app.js's loadEvents every 2 s): lines holding words.
async function logLines(page, words) {
  return page.$$eval('#log li', (lis, w) => lis.map((l) => l.textContent).filter((t) => t.includes(w)), words);
}

async function doLog(page, words, want, said) {
  if (want) {
    await page.waitForFunction((w) => [...document.querySelectorAll('#log li')].some((l) => l.textContent.includes(w)),
      words, { timeout: 15000 }).catch(() => {});
    const got = await logLines(page, words);
    if (!got.length) throw new Error(`the page's log shows no line with '${words}'`);
    const last = got[got.length - 1];
    said.push(`log shows '${last.slice(last.indexOf(words))}'`);
  } else {
    // Two refreshes of the log (every 2 s) after the page's first load.
    await page.waitForSelector('#log li', { state: 'attached' });
    await sleep(4500);
    const got = await logLines(page, words);
    if (got.length) throw new Error(`the page's log already shows '${got[0]}'`);
    said.push(`log has no '${words}'`);
  }
}

async function doShot(page, out, width) {
  await page.setViewportSize({ width, height: width < 600 ? 780 : 1000 });
  for (const d of await page.$$('#settings details:not([hidden])'))
    await d.evaluate((e) => { e.open = true; });
  await sleep(300);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  if (wide > width + 1) throw new Error(`${width}px: the page scrolls sideways (${wide}px wide)`);
  const box = await page.$('#settings-box');
  fs.writeFileSync(out, await box.screenshot());
}

run(1280, 1000, 110000, async (page) => {
  await login(page, url, password);
  await page.waitForSelector('#set-nat form.settings', { state: 'attached' });
  await page.waitForFunction(() => document.querySelector('#set-nat-filtering').value !== '');
  const said = [];
  await runSteps(steps, {
    set: (a, b) => doSet(page, a, b, said),
    bad: (a, b) => doBad(page, a, ...splitLast(b), said),
    add: (a, b) => doAdd(page, a, b, said),
    shot: (a, b) => doShot(page, a, Number(b)),
    log: (a, b, all) => doLog(page, all, true, said),
    nolog: (a, b, all) => doLog(page, all, false, said),
  });
  return 'settings: ' + said.join('; ');
});
