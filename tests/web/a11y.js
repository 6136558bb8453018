// SPDX-License-Identifier: MIT
// tests/web/a11y.js - the admin page for people who use a keyboard, a
// screen reader or a phone, in headless Chromium:
//  - axe-core (npm, tests/web/package.json) run on the logged-in page at
//    desktop (1280 px) and phone (360 px) width: any violation of impact
//    "serious" or "critical" fails; the others are printed;
//  - keyboard: from the top, Tab alone reaches the login field, and after
//    logging in every control of the flow, graph and capture panels and of
//    the Settings sections (one opened with Enter on its summary); a
//    search typed and submitted with Enter fills the flow table;
//  - 360 px: the page itself does not scroll sideways (wide tables scroll
//    inside their own box).
// Screenshots: OUTDIR/admin-page-desktop.png (whole page), admin-page-phone.png
// (the phone's first screen), phone-full.png and phone-<panel>.png.
//
//   node tests/web/a11y.js URL PASSWORD HOST OUTDIR
//
// Prints "a11y: ..." or "FAIL: reason".
'use strict';
const fs = require('fs');
const path = require('path');
const { step, sleep, login, run, axe, axeJudge } = require('./lib');

const [url, password, host, outdir] = process.argv.slice(2);
if (!url || !password || !host || !outdir) {
  console.error('usage: a11y.js URL PASSWORD HOST OUTDIR');
  process.exit(2);
}
try {
  require.resolve('axe-core/axe.min.js');
} catch (e) {
  console.log('FAIL: axe-core is not installed (scripts/install-deps runs npm ci in tests/web)');
  process.exit(1);
}

// Tab up to max times; the set of focused elements' ids or names.
async function tabWalk(page, max) {
  const seen = new Set();
  await page.evaluate(() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); });
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const who = await page.evaluate(() => {
      const e = document.activeElement;
      if (!e || e === document.body) return '';
      const form = e.form ? '#' + e.form.id + ' ' : '';
      return e.id ? '#' + e.id : form + '[name=' + (e.name || e.tagName.toLowerCase()) + ']';
    });
    if (who) seen.add(who);
  }
  return seen;
}

run(1280, 1000, 120000, async (page) => {
  const notes = [];
  // Keyboard only, logged out: the password field is reached with Tab.
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForSelector('#login');
  const out = await tabWalk(page, 6);
  if (!out.has('#password')) throw new Error('Tab does not reach the password field: ' + [...out].join(' '));
  await page.focus('#password');
  await page.keyboard.type(password);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#who', { state: 'visible', timeout: 10000 });
  step('logged in with the keyboard');
  await page.waitForSelector('#graph-wan polyline');
  await sleep(2500);
  // Settings: a section opens with Enter on its summary; open, every field is on the Tab path.
  await page.focus('#set-nat > summary');
  await page.keyboard.press('Enter');
  if (!(await page.$eval('#set-nat', (d) => d.open))) throw new Error('Enter does not open a Settings section');
  await page.$$eval('#settings details', (ds) => ds.forEach((d) => { d.open = true; }));
  notes.push('Enter opens a Settings section');
  const want = ['#set-nat-filtering', '#set-nat-mss', '#set-icmp-refused', '#set-input-lan',
    '#set-dhcp-range', '#list-dhcp-host-new', '#set-log-level', '#flow-search [name=host]', '#flow-search [name=proto]', '#flow-search [name=port]',
    '#flow-search [name=rule]', '#flow-clear', '#graph-range', '#capture [name=filter]',
    '#cap-start', '#passthrough [name=pptp]'];
  const seen = await tabWalk(page, 200);
  const missed = want.filter((w) => !seen.has(w));
  if (missed.length) throw new Error('Tab never reaches ' + missed.join(', '));
  notes.push(`Tab reaches all ${want.length} controls checked`);
  // A search typed and submitted with Enter.
  await page.focus('#flow-search [name=host]');
  await page.keyboard.type(host);
  await page.keyboard.press('Enter');
  await page.waitForFunction((h) => [...document.querySelectorAll('#flows tbody td')]
    .some((td) => td.textContent.startsWith(h)), host, { timeout: 10000 });
  notes.push('Enter in the flow search fills the table');
  await page.fill('#flow-search [name=host]', '');
  await page.keyboard.press('Enter');
  await sleep(1000);
  axeJudge(1280, await axe(page), notes);
  fs.writeFileSync(path.join(outdir, 'admin-page-desktop.png'), await page.screenshot({ fullPage: true }));
  await page.setViewportSize({ width: 360, height: 780 });
  await sleep(2500);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  if (wide > 360) {
    const culprits = await page.evaluate(() => [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > 361 &&
        !(e.parentElement && e.parentElement.getBoundingClientRect().right > 361))
      .slice(0, 4).map((e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
        ' (' + Math.round(e.getBoundingClientRect().right) + ' px)'));
    throw new Error(`at 360 px the page is ${wide} px wide: ${culprits.join(', ')}`);
  }
  axeJudge(360, await axe(page), notes);
  // The phone's first screen for the docs; the whole page and its panels to look at.
  await page.evaluate(() => window.scrollTo(0, 0));
  fs.writeFileSync(path.join(outdir, 'admin-page-phone.png'), await page.screenshot());
  fs.writeFileSync(path.join(outdir, 'phone-full.png'), await page.screenshot({ fullPage: true }));
  for (const id of ['graphs-box', 'flows-box', 'capture-box', 'status-box'])
    fs.writeFileSync(path.join(outdir, `phone-${id}.png`), await page.locator('#' + id).screenshot());
  return 'a11y: ' + notes.join('; ') + `; screenshots in ${outdir}`;
});
