// SPDX-License-Identifier: MIT
// tests/web/drive.js - use the admin page the way a person would, in real
// headless Chromium over the DevTools protocol (no browser download: the
// Debian chromium binary, node's built-in WebSocket), and save a screenshot.
//
//   node --experimental-websocket tests/web/drive.js URL PASSWORD OUT.png [pptp=on|off]
//
// Logs in with PASSWORD, sets the PPTP passthrough switch, presses Save,
// waits for "saved", lets the page refresh, takes the screenshot. Prints
// what the page said; exits 1 when a step fails.
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const [url, password, out, want = 'pptp=off'] = process.argv.slice(2);
if (!url || !password || !out) {
  console.error('usage: drive.js URL PASSWORD OUT.png [pptp=on|off]');
  process.exit(2);
}
if (typeof WebSocket === 'undefined') {
  console.log('FAIL: this node has no WebSocket (node 20.10+ with --experimental-websocket, or 22+)');
  process.exit(1);
}
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-chromium-'));
const browser = spawn(chromium, [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-dev-shm-usage', '--remote-debugging-port=0', '--window-size=1280,1000',
  '--user-data-dir=' + profile, 'about:blank',
], { stdio: ['ignore', 'ignore', 'pipe'] });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const t0 = Date.now();
const step = (what) => console.error(`${((Date.now() - t0) / 1000).toFixed(1)}s ${what}`);
let finished = false;
// Stop the browser and wait for it to go (its profile is in use until then).
function finish(code, msg) {
  if (finished) return;
  finished = true;
  if (msg) console.log(msg);
  // A browser slow to go (a loaded machine) may still write its profile while
  // it is removed: retry, and never let the clean-up change the verdict.
  const done = () => {
    try {
      fs.rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
    } catch (e) {
      console.error(`could not remove ${profile}: ${e.code}`);
    }
    process.exit(code);
  };
  if (browser.exitCode !== null || browser.signalCode !== null) done();
  browser.once('exit', done);
  browser.kill('SIGTERM');
  // SIGKILL after 5 s; 'exit' then calls done() once the process is gone.
  setTimeout(() => browser.kill('SIGKILL'), 5000);
  setTimeout(done, 15000);
}
setTimeout(() => finish(1, 'FAIL: timed out'), 60000);

// Chromium prints "DevTools listening on ws://..." on stderr.
function devtoolsUrl() {
  return new Promise((resolve) => {
    let buf = '';
    browser.stderr.on('data', (d) => {
      buf += d;
      const m = buf.match(/DevTools listening on (ws:\/\/\S+)/);
      if (m) resolve(m[1]);
    });
  });
}

async function main() {
  const wsBrowser = await devtoolsUrl();
  const port = new URL(wsBrowser).port;
  const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
  const page = targets.find((t) => t.type === 'page');
  const ws = new WebSocket(page.webSocketDebuggerUrl);
  await new Promise((r) => ws.addEventListener('open', r));
  let id = 0;
  const pending = new Map();
  ws.addEventListener('message', (ev) => {
    const m = JSON.parse(ev.data);
    if (m.id && pending.has(m.id)) {
      pending.get(m.id)(m);
      pending.delete(m.id);
    }
  });
  const send = (method, params = {}) => new Promise((resolve) => {
    id += 1;
    pending.set(id, resolve);
    ws.send(JSON.stringify({ id, method, params }));
  });
  const js = async (expr) => {
    const r = await send('Runtime.evaluate', { expression: expr, awaitPromise: true, returnByValue: true });
    return r.result && r.result.result ? r.result.result.value : undefined;
  };
  const waitFor = async (expr, what) => {
    for (let i = 0; i < 100; i++) {
      if (await js(expr)) return;
      await sleep(100);
    }
    finish(1, 'FAIL: ' + what);
  };

  step('browser up');
  await send('Page.enable');
  await send('Page.navigate', { url });
  await waitFor("document.readyState === 'complete' && !!document.querySelector('#login')", 'page did not load');
  await sleep(500);
  step('page loaded');
  // Log in: type the password, press the button.
  await js(`document.querySelector('#password').value = ${JSON.stringify(password)}`);
  await js("document.querySelector('#login button').click()");
  await waitFor("!document.querySelector('#who').hidden", 'login did not succeed: ' +
    (await js("document.querySelector('#summary').textContent")));
  // Save stays disabled until the switches show the running configuration.
  await waitFor("!document.querySelector('#passthrough button').disabled", 'switches never loaded');
  const others = await (await fetch(url + 'api/v1/config', { headers: { Authorization:
    'Bearer ' + password } })).json();
  // The brief's user story: VPN settings, the PPTP switch, Save.
  const on = want === 'pptp=on';
  await js(`(() => { const c = document.querySelector('#passthrough [name=pptp]');
    if (c.checked !== ${on}) c.click(); })()`);
  await js("document.querySelector('#passthrough button').click()");
  await waitFor("document.querySelector('#pt-msg').textContent !== ''", 'no answer to Save');
  const said = await js("document.querySelector('#pt-msg').textContent");
  step('saved');
  await sleep(2500); // one refresh of sessions, log and counters
  await js("document.querySelector('details').open = true");
  const shot = await send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true });
  fs.writeFileSync(out, Buffer.from(shot.result.data, 'base64'));
  step('screenshot taken');
  const checked = await js("document.querySelector('#passthrough [name=pptp]').checked");
  if (said !== 'saved' || checked !== on) finish(1, `FAIL: Save said '${said}', switch ${checked}`);
  // Saving one switch must leave the others as they were.
  const after = await (await fetch(url + 'api/v1/config', { headers: { Authorization:
    'Bearer ' + password } })).json();
  for (const p of ['ipsec', 'l2tp'])
    if (after.passthrough[p] !== others.passthrough[p])
      finish(1, `FAIL: saving PPTP changed ${p} from ${others.passthrough[p]} to ${after.passthrough[p]}`);
  if (after.passthrough.pptp !== on) finish(1, 'FAIL: the API says pptp is ' + after.passthrough.pptp);
  finish(0, `page: Save said '${said}'; PPTP passthrough ${on ? 'on' : 'off'}; screenshot ${out}`);
}
main().catch((e) => finish(1, 'FAIL: ' + e.message));
