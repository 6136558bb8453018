// SPDX-License-Identifier: MIT
// tests/web/flows6.js - the flow table's IPv6 side as a person uses it, in
// headless Chromium: log in, choose IPv6, search one LAN host's TCP port,
// see its held connection listed with bracketed IPv6 endpoints, press "End
// these flows", and see the page say so and the row gone (the connection
// is idle, so nothing makes it again: the scenario then checks the
// firewall refuses the remote's next segment).
//
//   node tests/web/flows6.js URL PASSWORD HOST PORT OUT.png
//
// Prints "flows6: ended N; row 'LAN REMOTE STATE'" or "FAIL: reason".
'use strict';
const fs = require('fs');
const { step, sleep, login, run } = require('./lib');

const [url, password, host, port, out] = process.argv.slice(2);
if (!url || !password || !host || !port || !out) {
  console.error('usage: flows6.js URL PASSWORD HOST PORT OUT.png');
  process.exit(2);
}
const want = '[' + host + ']:' + port;

// The table's rows whose LAN end is want, as "LAN REMOTE STATE".
async function rows(page) {
  return page.evaluate((w) => {
    const got = [];
    for (const tr of document.querySelectorAll('#flows tbody tr')) {
      const td = [...tr.children].map((c) => c.textContent);
      if (td[3] === w) got.push(td[3] + ' ' + td[4] + ' ' + td[1]);
    }
    return got;
  }, want);
}

run(1280, 1000, 90000, async (page) => {
  await login(page, url, password);
  await page.selectOption('#flow-search [name=family]', '6');
  if (!(await page.isDisabled('#flow-search [name=rule]')))
    throw new Error('the forward choice stays on for IPv6');
  await page.fill('#flow-search [name=host]', host);
  await page.selectOption('#flow-search [name=proto]', 'tcp');
  await page.fill('#flow-search [name=port]', port);
  await page.click('#flow-search button[type=submit]');
  let seen = [];
  for (let i = 0; i < 20 && !seen.length; i++) {
    await sleep(250);
    seen = await rows(page);
  }
  if (seen.length !== 1) throw new Error(`expected one row for ${want}, the table shows ${seen.length}`);
  if (!/ESTABLISHED$/.test(seen[0])) throw new Error(`the row is '${seen[0]}'`);
  step(`listed: ${seen[0]}`);
  await page.click('#flow-clear');
  await page.waitForFunction(() => /flows ended/.test(document.querySelector('#flow-msg').textContent));
  const said = await page.textContent('#flow-msg');
  const ended = parseInt(said, 10);
  if (ended !== 1) throw new Error(`the page said '${said}' (one flow matches)`);
  step(said);
  // The search runs again after ending: the row must be gone from it.
  let left = seen;
  for (let i = 0; i < 12 && left.length; i++) {
    await sleep(250);
    left = await rows(page);
  }
  if (left.length) throw new Error(`after ending, the table still shows '${left[0]}'`);
  fs.writeFileSync(out, await page.screenshot({ fullPage: true }));
  return `flows6: ended ${ended}; row '${seen[0]}'; screenshot ${out}`;
});
