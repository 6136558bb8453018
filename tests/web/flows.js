// SPDX-License-Identifier: MIT
// tests/web/flows.js - the flow table as a person uses it, in headless
// Chromium: log in, search the flows of one LAN host, note its busiest
// flow's packet count, press "End these flows", and wait until the table
// shows that connection again as a new flow (fewer packets than before).
//
//   node tests/web/flows.js URL PASSWORD HOST OUT.png
//
// Prints "flows: ended N; packets before B, after A" or "FAIL: reason".
'use strict';
const fs = require('fs');
const { step, sleep, login, run } = require('./lib');

const [url, password, host, out] = process.argv.slice(2);
if (!url || !password || !host || !out) {
  console.error('usage: flows.js URL PASSWORD HOST OUT.png');
  process.exit(2);
}

// The largest "packets out" among the table's rows for host (0: none).
async function busiest(page) {
  return page.evaluate((h) => {
    let best = 0;
    for (const tr of document.querySelectorAll('#flows tbody tr')) {
      const td = [...tr.children].map((c) => c.textContent);
      if (!td[3].startsWith(h + ':') && td[3] !== h) continue;
      best = Math.max(best, parseInt(td[7], 10) || 0);
    }
    return best;
  }, host);
}

run(1280, 1000, 90000, async (page) => {
  await login(page, url, password);
  await page.fill('#flow-search [name=host]', host);
  await page.selectOption('#flow-search [name=proto]', 'udp');
  await page.click('#flow-search button[type=submit]');
  // Let the traffic build the count up past a few packets.
  let before = 0;
  for (let i = 0; i < 40 && before < 10; i++) {
    await sleep(500);
    before = await busiest(page);
  }
  if (before < 10) throw new Error(`no busy UDP flow of ${host} in the table (${before} packets)`);
  step(`flow seen with ${before} packets`);
  await page.click('#flow-clear');
  await page.waitForFunction(() => /flows ended/.test(document.querySelector('#flow-msg').textContent));
  const said = await page.textContent('#flow-msg');
  const ended = parseInt(said, 10);
  if (!(ended >= 1)) throw new Error(`the page said '${said}'`);
  step(said);
  // The next datagrams make a new flow: its count starts again from 1.
  let after = 0;
  for (let i = 0; i < 30; i++) {
    await sleep(500);
    after = await busiest(page);
    if (after > 0 && after < before) break;
  }
  if (!(after > 0 && after < before))
    throw new Error(`after ending, the flow shows ${after} packets (before ${before})`);
  fs.writeFileSync(out, await page.screenshot({ fullPage: true }));
  return `flows: ended ${ended}; packets before ${before}, after ${after}; screenshot ${out}`;
});
