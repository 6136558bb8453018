// SPDX-License-Identifier: MIT
// tests/web/tunnel.js - the "VPN tunnel" panel in headless Chromium: log in,
// wait until the panel shows the state the scenario expects, then read
// GET /api/v1/tunnel and require the panel's state, restarts, route,
// bypass and kill switch to be the daemon's. With "toggle", press the kill
// switch off and on again and require the API to follow each press.
//
//   node tests/web/tunnel.js URL PASSWORD up|down OUT.png [toggle]
//
// Prints "tunnel: <what the panel said>" or "FAIL: reason".
'use strict';
const fs = require('fs');
const { step, apiGet, login, run, text, untilSame } = require('./lib');

const [url, password, want, png, toggle] = process.argv.slice(2);
if (!url || !password || !want || !png) {
  console.error('usage: tunnel.js URL PASSWORD up|down OUT.png [toggle]');
  process.exit(2);
}

// The panel against the API, read right after; the state is steady in each
// phase of the scenario, so one retry covers a refresh in between.
function compare(page) {
  return untilSame('GET /api/v1/tunnel', 3, 2500, async () => {
    const shown = {
      state: await text(page, 'tunnel-state'),
      restarts: await text(page, 'tunnel-restarts'),
      route: await text(page, 'tunnel-route'),
      bypass: await text(page, 'tunnel-bypass'),
      killswitch: await page.isChecked('#tunnel-ks'),
      bytes: await text(page, 'tunnel-bytes'),
      handshake: await text(page, 'tunnel-handshake'),
    };
    const t = await apiGet(url, password, 'tunnel');
    const d = [];
    if (shown.state !== t.state) d.push(`state ${shown.state} vs ${t.state}`);
    if (shown.restarts !== String(t.restarts)) d.push(`restarts ${shown.restarts} vs ${t.restarts}`);
    if (shown.route !== (t.route || 'none')) d.push(`route ${shown.route} vs ${t.route}`);
    if (shown.bypass !== (t.bypass || 'none')) d.push(`bypass ${shown.bypass} vs ${t.bypass}`);
    if (shown.killswitch !== t.killswitch) d.push(`kill switch ${shown.killswitch} vs ${t.killswitch}`);
    if (t.state === 'up' && !(t.rx_bytes > 0 && !/^0 B/.test(shown.bytes) && !/^0 B/.test(shown.bytes.split(' / ')[1])))
      d.push(`bytes '${shown.bytes}' vs rx ${t.rx_bytes} tx ${t.tx_bytes}`);
    if (t.handshake_age_s !== undefined && t.handshake_age_s !== null && !/ ago$/.test(shown.handshake))
      d.push(`handshake '${shown.handshake}' vs ${t.handshake_age_s} s`);
    return { diffs: d, value: { shown, t } };
  });
}

async function press(page, on) {
  await page.waitForSelector('#tunnel-ks:not([disabled])');
  await page.focus('#tunnel-ks');
  await page.keyboard.press('Space'); // the keyboard, as a user without a mouse
  await page.waitForFunction((w) => /^kill switch (on|off)/.test(document.querySelector('#tunnel-msg').textContent) &&
    document.querySelector('#tunnel-msg').textContent.startsWith('kill switch ' + w), on ? 'on' : 'off');
  const t = await apiGet(url, password, 'tunnel');
  if (t.killswitch !== on) throw new Error(`pressed the kill switch ${on ? 'on' : 'off'}, the API says ${t.killswitch}`);
  step('kill switch ' + (on ? 'on' : 'off') + ' in the API');
}

run(1280, 1000, 90000, async (page) => {
  await login(page, url, password);
  await page.waitForSelector('#tunnel-on', { state: 'visible' });
  try {
    await page.waitForFunction((w) => document.querySelector('#tunnel-state').textContent === w, want,
      { timeout: 15000 });
  } catch (e) {
    throw new Error(`the panel says '${await text(page, 'tunnel-state')}', expected '${want}'`);
  }
  const { shown, t } = await compare(page);
  step(`panel ${JSON.stringify(shown)}`);
  await page.evaluate(() => document.querySelector('#tunnel-box').scrollIntoView());
  fs.writeFileSync(png, await page.screenshot());
  let toggled = '';
  if (toggle === 'toggle') {
    const was = t.killswitch;
    await press(page, !was);
    await press(page, was);
    toggled = `; kill switch pressed ${was ? 'off' : 'on'} and back, the API followed`;
  }
  return `tunnel: ${shown.state}, restarts ${shown.restarts}, route ${shown.route}, bypass ${shown.bypass}, ` +
    `bytes ${shown.bytes}, handshake ${shown.handshake}, kill switch ${shown.killswitch ? 'on' : 'off'} ` +
    `(API: ${t.state}, rx ${t.rx_bytes})${toggled}`;
  // Chromium resolves no name at all: it runs in the gateway's namespace while
  // the scenario counts every packet leaving the public address, and its own
  // lookups (update.googleapis.com...) would be counted as leaks.
}, ['--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1']);
