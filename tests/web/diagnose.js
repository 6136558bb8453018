// SPDX-License-Identifier: MIT
// tests/web/diagnose.js - "Diagnose a VPN server" from the page, in headless
// Chromium, by keyboard only: log in, Tab to the address field, type the
// server's address, press Enter, wait until the page shows a row per
// protocol. Prints one line per protocol as the page shows it
// ("row PROTOCOL REACHABLE VERDICT | ADVICE") and a summary line, and
// saves screenshots at desktop width and at 360 px (a phone). axe-core
// checks the section with its results at both widths: a serious or
// critical finding fails.
//
//   node tests/web/diagnose.js URL PASSWORD HOST OUT.png OUT-phone.png
'use strict';
const fs = require('fs');
const { step, login, run } = require('./lib');

let axeSource = null;
try {
  axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
} catch (e) { /* reported below: the section is then not checked */ }

// axe-core on the diagnose section only; returns "N minor" or throws.
async function axeSection(page, width) {
  if (!axeSource) return 'axe-core not installed';
  await page.evaluate(axeSource);
  const v = await page.evaluate(async () => (await window.axe.run({ include: [['#diag-box']] }, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
  })).violations.map((x) => ({ id: x.id, impact: x.impact, where: x.nodes[0].target.join(' ') })));
  for (const x of v) console.error(`${width}px axe ${x.impact} ${x.id} at ${x.where}`);
  const bad = v.filter((x) => x.impact === 'serious' || x.impact === 'critical');
  if (bad.length) throw new Error(`${width}px: serious axe findings: ${bad.map((x) => x.id + ' at ' + x.where).join('; ')}`);
  return `${width}px axe: ${v.length} minor`;
}

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
  const axeWide = await axeSection(page, 1280);
  await page.setViewportSize({ width: 360, height: 1400 });
  await page.evaluate(() => document.querySelector('#diag-box').scrollIntoView());
  fs.writeFileSync(phonePng, await page.screenshot());
  const axePhone = await axeSection(page, 360);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  for (const r of rows) console.log(`row ${r.protocol} ${r.reachable} ${r.verdict} | ${r.advice}`);
  return `diagnose: label '${label}'; ${state}; ${axeWide}, ${axePhone}; page width at 360 px: ${wide}`;
});
