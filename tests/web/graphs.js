// SPDX-License-Identifier: MIT
// tests/web/graphs.js - the live graphs during a running transfer, in
// headless Chromium: log in, wait until the WAN graph's upload line has
// points and a current value, then check it against the daemon: the
// line's current rate within [0.6, 1.5] of the transfer's known rate, and
// the cumulative byte count of its last sample no later than, and within
// a few seconds' traffic of, the WAN link's tx_bytes counter read
// straight after (GET /api/v1/status).
//
//   node tests/web/graphs.js URL PASSWORD BITS_PER_S OUT.png
//
// Prints "graphs: ..." or "FAIL: reason".
'use strict';
const fs = require('fs');
const { step, sleep, apiGet, login, run } = require('./lib');

const [url, password, rateArg, out] = process.argv.slice(2);
const rate = Number(rateArg);
if (!url || !password || !(rate > 0) || !out) {
  console.error('usage: graphs.js URL PASSWORD BITS_PER_S OUT.png');
  process.exit(2);
}

const UP = '#graph-wan polyline[data-series="wan.tx_bytes"]';

run(1280, 1400, 90000, async (page) => {
  await login(page, url, password);
  let g = null;
  for (let i = 0; i < 40; i++) {
    g = await page.$eval(UP, (e) => ({
      points: Number(e.dataset.points), now: Number(e.dataset.now), last: Number(e.dataset.last),
    })).catch(() => null);
    if (g && g.points >= 10 && g.now > rate * 0.6) break;
    await sleep(500);
  }
  if (!g) throw new Error('the WAN graph has no upload line');
  const status = await apiGet(url, password, 'status');
  const wan = status.interfaces.find((l) => l.side === 'wan');
  const counter = wan.counters.tx_bytes;
  step(`graph: ${g.points} points, now ${g.now} bit/s, last ${g.last} B; counter ${counter} B`);
  if (g.points < 10) throw new Error(`the upload line has ${g.points} points`);
  if (!(g.now >= rate * 0.6 && g.now <= rate * 1.5))
    throw new Error(`the upload line says ${g.now} bit/s, the transfer runs at ${rate}`);
  // The page refreshes every 2 s and a sample is up to 1 s old: at most
  // about 4 s of the transfer between the line's last value and the counter.
  const lag = counter - g.last;
  if (!(lag >= 0 && lag <= (rate / 8) * 4 + 65536))
    throw new Error(`the line's last value ${g.last} B is ${lag} B from the counter ${counter} B`);
  const legend = await page.textContent('#graph-wan figcaption');
  if (!/upload \(out\): [0-9.]+ [kMG]?bit\/s/.test(legend)) throw new Error(`legend: ${legend}`);
  await page.evaluate(() => document.querySelector('#graphs-box').scrollIntoView());
  fs.writeFileSync(out, await page.screenshot({ fullPage: true }));
  return `graphs: ${g.points} points, upload now ${(g.now / 1e6).toFixed(2)} Mbit/s ` +
    `(transfer ${(rate / 1e6).toFixed(2)}), last sample ${lag} B behind tx_bytes; screenshot ${out}`;
});
