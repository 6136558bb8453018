// SPDX-License-Identifier: MIT
// tests/web/capture.js - a capture started and downloaded from the page,
// in headless Chromium: log in, type a filter, choose the link and a
// duration, press Start, wait until the page offers the pcap, press
// "Download pcap" and keep the file the browser receives.
//
//   node tests/web/capture.js URL PASSWORD FILTER LINK SECONDS OUT.pcap OUT.png
//
// Prints "capture: <state line>; N bytes saved to OUT.pcap" or "FAIL: reason".
'use strict';
const fs = require('fs');
const { step, login, run } = require('./lib');

const [url, password, filter, link, seconds, out, png] = process.argv.slice(2);
if (!url || !password || !filter || !link || !seconds || !out || !png) {
  console.error('usage: capture.js URL PASSWORD FILTER LINK SECONDS OUT.pcap OUT.png');
  process.exit(2);
}

run(1280, 1000, 90000, async (page) => {
  await login(page, url, password);
  await page.waitForSelector('#cap-start:not([disabled])');
  await page.fill('#capture [name=filter]', filter);
  await page.selectOption('#capture [name=link]', link);
  await page.fill('#capture [name=seconds]', seconds);
  await page.click('#cap-start');
  step('capture started');
  await page.waitForSelector('#cap-download:not([disabled])', { timeout: (Number(seconds) + 10) * 1000 });
  const state = await page.textContent('#cap-state');
  step(state);
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#cap-download')]);
  await dl.saveAs(out);
  const size = fs.statSync(out).size;
  await page.evaluate(() => document.querySelector('#capture-box').scrollIntoView());
  fs.writeFileSync(png, await page.screenshot());
  if (!/^done/.test(state)) throw new Error(`the page says '${state}'`);
  return `capture: ${state}; ${size} bytes saved to ${out} (${dl.suggestedFilename()})`;
});
