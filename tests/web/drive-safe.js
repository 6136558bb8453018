// SPDX-License-Identifier: MIT
// tests/web/drive-safe.js - the admin page's safe changes (src/ctl/web/
// safe.js) in real headless Chromium, as drive.js does it:
//
//   node tests/web/drive-safe.js URL PASSWORD OUT.png DMZ-ADDRESS
//
// Logs in, sets the DMZ host (a change that could lock the admin out, so
// the page sends it on probation), checks that a banner counts down (two
// readings two seconds apart, and the daemon agrees a change is pending),
// takes the screenshot, presses "Keep this change", and checks that the
// banner went and the change stayed. Prints what the page said; exits 1
// when a step fails.
'use strict';
const fs = require('fs');

const [url, password, out, dmz] = process.argv.slice(2);
if (!url || !password || !out || !dmz) {
  console.error('usage: drive-safe.js URL PASSWORD OUT.png DMZ-ADDRESS');
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
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function apiGet(path) {
  const r = await fetch(url + 'api/v1/' + path, { headers: { Authorization: 'Bearer ' + password } });
  return r.json();
}

// Seconds left as the banner says them, or NaN.
async function shownLeft(page) {
  const t = await page.textContent('#safe-banner');
  const m = /rolled back in (\d+) s/.exec(t || '');
  return m ? Number(m[1]) : NaN;
}

async function drive(page) {
  await page.goto(url, { waitUntil: 'load' });
  await page.fill('#password', password);
  await page.click('#login button');
  await page.waitForSelector('#who', { state: 'visible', timeout: 10000 });
  await page.fill('#dmz [name=dmz]', dmz);
  await page.click('#dmz button');
  await page.waitForSelector('#safe-banner', { state: 'visible', timeout: 10000 });
  const first = await shownLeft(page);
  const pending = (await apiGet('config/pending')).pending;
  if (!pending || !(pending.seconds_left > 0)) throw new Error('the daemon has no change pending');
  await sleep(2200);
  const second = await shownLeft(page);
  if (!(first - second >= 2)) throw new Error(`no countdown: ${first} s, then ${second} s`);
  fs.writeFileSync(out, await page.screenshot({ fullPage: false }));
  await page.click('text=Keep this change');
  await page.waitForSelector('#safe-banner', { state: 'hidden', timeout: 10000 });
  const c = await apiGet('config');
  if (c.pending !== null) throw new Error('still pending after Keep');
  if (c.forward.dmz !== dmz) throw new Error('the DMZ is ' + c.forward.dmz + ' after Keep');
  return `page: banner counted ${first} s -> ${second} s ("${pending.what}"), kept; dmz ${dmz}; screenshot ${out}`;
}

async function main() {
  const browser = await chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
      '--disable-background-networking'],
    timeout: 30000,
  });
  let code = 0;
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
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
