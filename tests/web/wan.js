// SPDX-License-Identifier: MIT
// tests/web/wan.js - the "WAN address" panel (src/ctl/web/wan.js) in
// headless Chromium, against the gateway's real DHCP lease: the panel shows
// the lease GET /api/v1/wan has; the Renew and Release buttons pressed as a
// user would (Renew with the keyboard). The e2e scenario web-wan checks in
// between what the ISP's DHCP server saw and whether traffic passes.
//
//   node tests/web/wan.js URL PASSWORD STEP...
//
// STEP is one of
//   lease           the panel shows a lease: address, gateway, server, times
//                   as the API says (prints them)
//   renew           press Renew; the panel's "Obtained" moves to the renewal
//   release         press Release; the panel shows no address
//   shot:OUT:WIDTH  the panel at WIDTH px: the page must not scroll sideways,
//                   axe-core finds no serious violation in the panel
// Prints "wan: ..." or "FAIL: reason".
'use strict';
const fs = require('fs');
const { step, sleep, apiGet, login, run, text, untilSame, axe, axeJudge } = require('./lib');

const [url, password, ...steps] = process.argv.slice(2);
if (!url || !password || !steps.length) {
  console.error('usage: wan.js URL PASSWORD STEP...');
  process.exit(2);
}

// The panel and the API agree on the lease (retried across the page's 2 s refresh).
function lease(page) {
  return untilSame('GET /api/v1/wan', 4, 2100, async () => {
    const w = await apiGet(url, password, 'wan');
    const l = w.lease;
    const shown = {
      state: await text(page, 'wan-state'),
      address: await text(page, 'wan-address'),
      gateway: await text(page, 'wan-gateway'),
      server: await text(page, 'wan-server'),
      obtained: await text(page, 'wan-obtained'),
      renews: await text(page, 'wan-renews'),
      expires: await text(page, 'wan-expires'),
    };
    const d = [];
    if (shown.state !== w.state) d.push(`state ${shown.state} vs ${w.state}`);
    if (!l) d.push('the API has no lease');
    else {
      if (shown.address !== `${l.address}/${l.prefix}`) d.push(`address ${shown.address} vs ${l.address}`);
      if (shown.gateway !== l.gateway) d.push(`gateway ${shown.gateway} vs ${l.gateway}`);
      if (shown.server !== l.server) d.push(`server ${shown.server} vs ${l.server}`);
      const at = (t) => new Date(t * 1000).toLocaleTimeString();
      // The daemon gives wall-clock times from its monotonic clock at each request: the page's
      // fetch and this one may round a second apart.
      const near = (txt, t) => [t - 1, t, t + 1].some((u) => txt.startsWith(at(u)));
      if (!near(shown.obtained, l.obtained)) d.push(`obtained '${shown.obtained}' vs ${at(l.obtained)}`);
      if (!near(shown.renews, l.renews_at)) d.push(`renews '${shown.renews}' vs ${at(l.renews_at)}`);
      if (!near(shown.expires, l.expires_at)) d.push(`expires '${shown.expires}' vs ${at(l.expires_at)}`);
    }
    return { diffs: d, value: { shown, l } };
  });
}

async function doRenew(page, said) {
  const before = (await apiGet(url, password, 'wan')).lease;
  await page.waitForSelector('#wan-renew:not([disabled])');
  await page.$eval('#wan-msg', (m) => { m.textContent = ''; });
  await page.focus('#wan-renew');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('#wan-msg').textContent !== '');
  const m = await text(page, 'wan-msg');
  if (m !== 'asked the DHCP server') throw new Error(`Renew said '${m}'`);
  // The lease's "obtained" moves to the renewal (the server answers at once).
  let now = null;
  for (let i = 0; i < 20 && !(now && now.l && (!before || now.l.obtained > before.obtained)); i++) {
    await sleep(500);
    const w = await apiGet(url, password, 'wan');
    now = w.lease && { l: w.lease };
  }
  if (!now || (before && now.l.obtained <= before.obtained))
    throw new Error(`no renewed lease within 10 s (obtained ${before && before.obtained} -> ${now && now.l.obtained})`);
  const { shown } = await lease(page);
  said.push(`renewed: ${shown.address}, obtained ${shown.obtained}`);
}

async function doRelease(page, said) {
  await page.waitForSelector('#wan-release:not([disabled])');
  await page.$eval('#wan-msg', (m) => { m.textContent = ''; });
  await page.click('#wan-release');
  await page.waitForFunction(() => document.querySelector('#wan-msg').textContent.startsWith('lease given back'));
  await page.waitForFunction(() => document.querySelector('#wan-address').textContent === 'none');
  const w = await apiGet(url, password, 'wan');
  if (w.lease) throw new Error(`released, but the API still has ${w.lease.address}`);
  if (!(await page.isDisabled('#wan-release'))) throw new Error('Release is still offered with no lease');
  said.push(`released: panel says ${await text(page, 'wan-state')}, no address`);
}

async function doShot(page, out, width, said) {
  await page.setViewportSize({ width, height: width < 600 ? 780 : 1000 });
  await sleep(300);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  if (wide > width + 1) throw new Error(`${width}px: the page scrolls sideways (${wide}px wide)`);
  axeJudge(width, await axe(page, '#wan-box'), said);
  fs.writeFileSync(out, await (await page.$('#wan-box')).screenshot());
}

run(1280, 1000, 90000, async (page) => {
  await login(page, url, password);
  await page.waitForSelector('#wan-dhcp', { state: 'visible' });
  const said = [];
  for (const s of steps) {
    const [kind, a, b] = s.split(':');
    if (kind === 'lease') {
      await page.waitForFunction(() => /\//.test(document.querySelector('#wan-address').textContent));
      const { shown } = await lease(page);
      said.push(`lease ${shown.address} via ${shown.gateway} from ${shown.server}, renews ${shown.renews}`);
    } else if (kind === 'renew') await doRenew(page, said);
    else if (kind === 'release') await doRelease(page, said);
    else if (kind === 'shot') await doShot(page, a, Number(b), said);
    else throw new Error('unknown step ' + s);
    step(s);
  }
  return 'wan: ' + said.join('; ');
});
