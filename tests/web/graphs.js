// SPDX-License-Identifier: MIT
// tests/web/graphs.js - the live graphs during a running transfer, in
// headless Chromium: log in, wait until the WAN graph's upload line has
// points and a current value, then check it against the daemon: the
// line's current rate within [0.6, 1.5] of the transfer's known rate, and
// the cumulative byte count of its last sample no later than, and within
// a few seconds' traffic of, the WAN link's tx_bytes counter read
// straight after (GET /api/v1/status). With SESSION (a VPN session's
// client as "KIND CLIENT", e.g. "nat-t 192.168.1.10") and its rate, the
// VPN sessions graph must have that session's line, its current rate
// within [0.6, 1.5] of the session's, and its last sample's bytes (out +
// in) within a few seconds of what GET /api/v1/sessions counts.
//
//   node tests/web/graphs.js URL PASSWORD BITS_PER_S OUT.png [SESSION SESSION_BITS_PER_S]
//
// Prints "graphs: ..." or "FAIL: reason".
'use strict';
const fs = require('fs');
const { step, sleep, apiGet, login, run } = require('./lib');

const [url, password, rateArg, out, session, sessionRateArg] = process.argv.slice(2);
const sessionRate = Number(sessionRateArg || 0);
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
  let said = '';
  if (session) said = await checkSession(page);
  await page.evaluate(() => document.querySelector('#graphs-box').scrollIntoView());
  fs.writeFileSync(out, await page.screenshot({ fullPage: true }));
  return `graphs: ${g.points} points, upload now ${(g.now / 1e6).toFixed(2)} Mbit/s ` +
    `(transfer ${(rate / 1e6).toFixed(2)}), last sample ${lag} B behind tx_bytes${said}; screenshot ${out}`;
});

// The VPN sessions graph's line of `session`, checked against GET /api/v1/sessions.
async function checkSession(page) {
  const [kind, client] = session.split(' ');
  const sel = `#graph-sessions polyline[data-series^="${kind} ${client}:"]`;
  let g = null;
  for (let i = 0; i < 40; i++) {
    g = await page.$eval(sel, (e) => ({
      name: e.dataset.series, points: Number(e.dataset.points), now: Number(e.dataset.now),
      last: Number(e.dataset.last),
    })).catch(() => null);
    if (g && g.points >= 5 && g.now > sessionRate * 0.6) break;
    await sleep(500);
  }
  if (!g) throw new Error(`the VPN sessions graph has no line for ${session}`);
  const list = await apiGet(url, password, 'sessions');
  const s = list.sessions.find((x) => `${x.kind} ${x.client}:${x.client_port}>${x.server}:${x.server_port}` === g.name);
  if (!s) throw new Error(`GET /api/v1/sessions does not list ${g.name}`);
  const counted = s.bytes[0] + s.bytes[1];
  step(`session ${g.name}: ${g.points} points, now ${g.now} bit/s, last ${g.last} B; sessions ${counted} B`);
  if (g.points < 5) throw new Error(`the session line has ${g.points} points`);
  if (!(g.now >= sessionRate * 0.6 && g.now <= sessionRate * 1.5))
    throw new Error(`the session line says ${g.now} bit/s, the session runs at ${sessionRate}`);
  const lag = counted - g.last;
  if (!(lag >= 0 && lag <= (sessionRate / 8) * 4 + 65536))
    throw new Error(`the session line's last value ${g.last} B is ${lag} B from the session's ${counted} B`);
  return `; session ${g.name} now ${(g.now / 1e6).toFixed(2)} Mbit/s (sent at ${(sessionRate / 1e6).toFixed(2)}), ` +
    `last sample ${lag} B behind GET sessions`;
}
