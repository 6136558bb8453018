// passgate admin page, "Diagnose a VPN server": the gateway probes a server
// on every VPN protocol that answers without credentials (POST
// /api/v1/diagnose), then the page asks for the result every 500 ms until
// it is done and shows one row per protocol: reachable or not, what
// answered, and what to do. Uses app.js's api(), $(), say(), cell(),
// fill() and session.
'use strict';

let diagTimer = null;
let diagId = 0;

const diagVerdict = { ok: 'OK', warn: 'Warning', fail: 'Failed' };
const diagState = { 'no-answer': 'nothing answered', refused: 'refused: nothing listens',
  'not-run': 'not measured' };
const diagCols = ['protocol', 'reachable', 'what answered', 'verdict', 'what to do'];

function diagShow(d) {
  const st = $('#diag-state');
  const tbody = $('#diag-results tbody');
  if (!d || d.state === 'idle') {
    st.textContent = 'no diagnosis yet';
    return;
  }
  if (d.state === 'running') {
    st.textContent = 'probing ' + d.host + ' from the gateway… ' + Math.round(d.elapsed_ms / 1000) + ' s';
    return;
  }
  st.textContent = 'done: ' + d.host + ' from ' + (d.local_address || d.wan_address) + ' in ' +
    d.elapsed_ms + ' ms' + (d.double_nat ? ' · the WAN address is private: double NAT' : '') + ' · ' +
    d.results.filter((r) => r.reachable).length + ' of ' + d.results.length + ' protocols answered';
  // Explicit roles: on a phone the rows are stacked with CSS (display:
  // block), which would otherwise take the table's semantics away.
  fill(tbody, d.results, (tr, r) => {
    const th = document.createElement('th');
    th.scope = 'row';
    th.setAttribute('role', 'rowheader');
    th.textContent = r.title;
    tr.appendChild(th);
    cell(tr, r.reachable ? 'yes' : 'no');
    cell(tr, r.answer || diagState[r.state] || r.state);
    cell(tr, diagVerdict[r.verdict] || r.verdict).className = 'verdict-' + r.verdict;
    cell(tr, r.advice || '—');
    tr.setAttribute('role', 'row');
    [...tr.children].forEach((c, i) => {
      c.dataset.label = diagCols[i];
      if (i) c.setAttribute('role', 'cell');
    });
    tr.dataset.protocol = r.protocol;
    tr.dataset.verdict = r.verdict;
  });
  $('#diag-results').hidden = false;
}

async function diagPoll() {
  try {
    const d = await api('GET', 'diagnose');
    if (d.id !== diagId) return;
    diagShow(d);
    if (d.state === 'done') {
      clearInterval(diagTimer);
      diagTimer = null;
      $('#diag-go').disabled = false;
      say($('#diag-msg'), 'done', true);
      $('#diag-results').focus();
    }
  } catch (e) {
    say($('#diag-msg'), e.message, false);
  }
}

async function diagStart(ev) {
  ev.preventDefault();
  const host = ev.target.elements.host.value.trim();
  if (!host) {
    say($('#diag-msg'), 'type the VPN server\'s address', false);
    $('#diag-host').focus();
    return;
  }
  try {
    const d = await api('POST', 'diagnose', { host });
    diagId = d.id;
    $('#diag-go').disabled = true;
    $('#diag-results').hidden = true;
    say($('#diag-msg'), 'started', true);
    diagShow({ state: 'running', host: d.host, elapsed_ms: 0 });
    if (!diagTimer) diagTimer = setInterval(diagPoll, 500);
  } catch (e) {
    say($('#diag-msg'), e.message, false);
    $('#diag-host').focus();
  }
}

function diagInit() {
  $('#diag').onsubmit = diagStart;
  const check = () => {
    $('#diag-go').disabled = !session || !!diagTimer;
    const state = $('#diag-state');
    const hint = 'log in to diagnose: the gateway sends packets to the server';
    if (!session) state.textContent = hint;
    else if (state.textContent === hint) state.textContent = ''; /* logged in since */
  };
  check();
  setInterval(() => { if (!document.hidden) check(); }, 2000);
}

diagInit();
