// SPDX-License-Identifier: MIT
// tests/web/diagnose.js - "Diagnose a VPN server" from the page, in headless
// Chromium, by keyboard only: log in, Tab to the address field, type the
// server's address, press Enter, wait until the page shows a row per
// protocol. Prints one line per protocol as the page shows it
// ("row PROTOCOL REACHABLE VERDICT | ADVICE") and a summary line, and
// saves screenshots at desktop width and at 360 px (a phone). axe-core
// checks the section with its results at both widths: a serious or
// critical finding fails, and so does axe-core missing (as in a11y.js: a
// check that cannot run must not pass).
//
//   node tests/web/diagnose.js URL PASSWORD HOST OUT.png OUT-phone.png
'use strict';
const fs = require('fs');
const { step, login, run, axe, axeJudge } = require('./lib');

const [url, password, host, png, phonePng] = process.argv.slice(2);
if (!url || !password || !host || !png || !phonePng) {
  console.error('usage: diagnose.js URL PASSWORD HOST OUT.png OUT-phone.png');
  process.exit(2);
}

run(1280, 1000, 120000, async (page) => {
  await login(page, url, password);
  await page.waitForSelector('#diag-go:not([disabled])');
  // By keyboard: the field is reached with Tab from the heading's section.
  await page.focus('#diag-box h2');
  let found = false;
  for (let i = 0; i < 40 && !found; i++) {
    await page.keyboard.press('Tab');
    found = await page.evaluate(() => document.activeElement && document.activeElement.id === 'diag-host');
  }
  if (!found) throw new Error('the address field cannot be reached with Tab');
  const label = await page.evaluate(() => document.querySelector('#diag-host').labels[0].textContent);
  await page.keyboard.type(host);
  await page.keyboard.press('Enter');
  step('diagnosis started');
  await page.waitForSelector('#diag-results:not([hidden])', { timeout: 90000 });
  const rows = await page.$$eval('#diag-results tbody tr', (trs) => trs.map((tr) => ({
    protocol: tr.dataset.protocol,
    verdict: tr.dataset.verdict,
    reachable: tr.children[1].textContent,
    answer: tr.children[2].textContent,
    advice: tr.children[4].textContent,
  })));
  const state = await page.textContent('#diag-state');
  await page.evaluate(() => document.querySelector('#diag-box').scrollIntoView());
  fs.writeFileSync(png, await page.screenshot());
  // axe-core on the section with its results, at both widths (tests/web/lib.js).
  const notes = [];
  axeJudge(1280, await axe(page, '#diag-box'), notes);
  await page.setViewportSize({ width: 360, height: 1400 });
  await page.evaluate(() => document.querySelector('#diag-box').scrollIntoView());
  fs.writeFileSync(phonePng, await page.screenshot());
  axeJudge(360, await axe(page, '#diag-box'), notes);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  for (const r of rows) console.log(`row ${r.protocol} ${r.reachable} ${r.verdict} | ${r.advice}`);
  return `diagnose: label '${label}'; ${state}; ${notes.join(', ')}; page width at 360 px: ${wide}`;
});
