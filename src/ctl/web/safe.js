// passgate admin page, safe changes (docs/API.md "Safe changes"): a change
// that could lock you out of this page (port forwards, DMZ, the gateway's
// input policy, host routes) is sent with ?confirm=SAFE_SECS, and a banner
// counts down until passgated rolls it back by itself unless you keep it.
// The rollback is the daemon's timer: if the change cut this page off, the
// banner cannot reach the daemon, and the daemon undoes the change anyway.
// Self-contained: it wraps app.js's api() and adds its own banner.
'use strict';

const SAFE_SECS = 60;
const SAFE_PATHS = /^(forwards(\/\d+)?|config\/(forward|input|host))$/;

(function () {
  const plain = window.api;
  let left = 0;
  let what = '';
  let timer = 0;

  const banner = document.createElement('div');
  banner.id = 'safe-banner';
  banner.className = 'notice';
  banner.hidden = true;
  const text = document.createElement('span');
  const keep = document.createElement('button');
  keep.type = 'button';
  keep.textContent = 'Keep this change';
  const undo = document.createElement('button');
  undo.type = 'button';
  undo.textContent = 'Roll back now';
  banner.append(text, ' ', keep, ' ', undo);
  document.body.prepend(banner);

  function show() {
    if (left <= 0 && !what) {
      banner.hidden = true;
      return;
    }
    banner.hidden = false;
    text.textContent = left > 0
      ? 'Change on probation: ' + what + '. It is rolled back in ' + left +
        ' s unless you keep it.'
      : 'The change was not kept in time: passgated has rolled it back. Reload the page.';
    keep.hidden = undo.hidden = left <= 0;
  }

  function tick() {
    if (left > 0) left--;
    show();
    if (left <= 0) {
      clearInterval(timer);
      timer = 0;
    }
  }

  // Take the daemon's view: {pending: {what, seconds_left} | null}.
  function track(p) {
    if (p && p.seconds_left > 0) {
      left = p.seconds_left;
      what = p.what;
      if (!timer) timer = setInterval(tick, 1000);
    } else if (left > 0 && !p) {
      left = 0;
      what = '';
    }
    show();
  }

  window.api = async function (method, path, body) {
    const risky = method !== 'GET' && SAFE_PATHS.test(path);
    const r = await plain(method, risky ? path + '?confirm=' + SAFE_SECS : path, body);
    if (risky || path === 'config/pending') track(r.pending);
    return r;
  };
  api = window.api; // app.js calls the global binding

  keep.onclick = async () => {
    try {
      await plain('POST', 'config/confirm');
      left = 0;
      what = '';
    } catch (e) {
      text.textContent = 'Could not keep it: ' + e.message;
    }
    show();
  };
  undo.onclick = async () => {
    try {
      await plain('DELETE', 'config/pending');
      left = 0;
      what = '';
    } catch (e) {
      text.textContent = 'Could not roll back: ' + e.message;
    }
    show();
  };
  // A change made elsewhere (passgatectl --confirm, another tab) shows here too.
  setInterval(() => { window.api('GET', 'config/pending').catch(() => {}); }, 5000);
  window.api('GET', 'config/pending').catch(() => {});
})();
