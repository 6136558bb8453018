// SPDX-License-Identifier: MIT
// tests/web/drive.js - use the admin page the way a person would, in real
// headless Chromium driven by playwright-core (npm, tests/web/package.json;
// no browser download: Debian's chromium binary), and save a screenshot.
//
//   node tests/web/drive.js URL PASSWORD OUT.png [pptp=on|off]
//
// Logs in with PASSWORD, sets the PPTP passthrough switch, presses Save,
// waits for "saved", lets the page refresh, takes the screenshot. Prints
// what the page said; exits 1 when a step fails. CHROMIUM overrides the
// browser's path.
'use strict';
const fs = require('fs');

const [url, password, out, want = 'pptp=off'] = process.argv.slice(2);
if (!url || !password || !out) {
  console.error('usage: drive.js URL PASSWORD OUT.png [pptp=on|off]');
  process.exit(2);
}
let chromium;
try {
  ({ chromium } = require('playwright-core'));
} catch (e) {
  console.log('FAIL: playwright-core is not installed (scripts/install-deps runs npm ci in tests/web)');
  process.exit(1);
}
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const t0 = Date.now();
const step = (what) => console.error(`${((Date.now() - t0) / 1000).toFixed(1)}s ${what}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function config() {
  const r = await fetch(url + 'api/v1/config', { headers: { Authorization: 'Bearer ' + password } });
  return r.json();
}

async function drive(page) {
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForSelector('#login');
  step('page loaded');
  // Log in: type the password, press the button.
  await page.fill('#password', password);
  await page.click('#login button');
  try {
    await page.waitForSelector('#who', { state: 'visible', timeout: 10000 });
  } catch (e) {
    throw new Error('login did not succeed: ' + (await page.textContent('#summary')));
  }
  // Save stays disabled until the switches show the running configuration.
  await page.waitForSelector('#passthrough button:not([disabled])', { timeout: 10000 });
  const before = await config();
  // The brief's user story: VPN settings, the PPTP switch, Save.
  const on = want === 'pptp=on';
  await page.setChecked('#passthrough [name=pptp]', on);
  await page.click('#passthrough button');
  await page.waitForFunction(() => document.querySelector('#pt-msg').textContent !== '', null,
    { timeout: 10000 });
  const said = await page.textContent('#pt-msg');
  step('saved');
  await sleep(2500); // one refresh of sessions, log and counters
  await page.evaluate(() => { document.querySelector('details').open = true; });
  fs.writeFileSync(out, await page.screenshot({ fullPage: true }));
  step('screenshot taken');
  const checked = await page.isChecked('#passthrough [name=pptp]');
  if (said !== 'saved' || checked !== on) throw new Error(`Save said '${said}', switch ${checked}`);
  // Saving one switch must leave the others as they were.
  const after = await config();
  for (const p of ['ipsec', 'l2tp'])
    if (after.passthrough[p] !== before.passthrough[p])
      throw new Error(`saving PPTP changed ${p} from ${before.passthrough[p]} to ${after.passthrough[p]}`);
  if (after.passthrough.pptp !== on) throw new Error('the API says pptp is ' + after.passthrough.pptp);
  return `page: Save said '${said}'; PPTP passthrough ${on ? 'on' : 'off'}; screenshot ${out}`;
}

async function main() {
  const browser = await chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
      '--disable-background-networking'],
    timeout: 30000,
  });
  step('browser up');
  let code = 0;
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    page.setDefaultTimeout(15000);
    console.log(await drive(page));
  } catch (e) {
    console.log('FAIL: ' + e.message.split('\n')[0]);
    code = 1;
  }
  await browser.close().catch(() => {});
  process.exit(code);
}
setTimeout(() => { console.log('FAIL: timed out'); process.exit(1); }, 60000).unref();
main().catch((e) => { console.log('FAIL: ' + e.message); process.exit(1); });
