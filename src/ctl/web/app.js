// passgate admin page: reads /api/v1/*, refreshes every 2 s, and changes
// settings with the session the password login returns (docs/API.md).
'use strict';

const $ = (sel) => document.querySelector(sel);
let session = sessionStorage.getItem('passgate-session') || '';
let canChange = false;
let lastEvent = 0;

async function api(method, path, body) {
  const headers = {};
  if (session) headers['Authorization'] = 'Bearer ' + session;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const r = await fetch('/api/v1/' + path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = {};
  try { data = await r.json(); } catch (e) { /* empty or not JSON */ }
  if (r.status === 401 && session) setSession('');
  if (!r.ok) {
    const e = new Error(data.error || (r.status + ' ' + r.statusText));
    e.field = data.field; // which setting was refused ("nat.mss"): settings.js marks it
    throw e;
  }
  return data;
}

function setSession(s) {
  session = s;
  if (s) sessionStorage.setItem('passgate-session', s);
  else sessionStorage.removeItem('passgate-session');
  $('#login').hidden = !!s || !canChange;
  $('#who').hidden = !s;
}

function say(el, text, ok) {
  el.textContent = text;
  el.className = 'msg ' + (ok ? 'ok' : 'err');
}

// The settings forms' pieces (settings.js, restart.js). A status line that
// say() writes to and a screen reader reads out.
function statusLine(id) {
  const msg = document.createElement('span');
  msg.className = 'msg';
  msg.id = id;
  msg.setAttribute('role', 'status');
  return msg;
}

// "Save", and for a screen reader's list of buttons which one.
function saveButton(which) {
  const save = document.createElement('button');
  save.type = 'submit';
  const sr = document.createElement('span');
  sr.className = 'sr-only';
  sr.textContent = ' ' + which;
  save.append('Save', sr);
  return save;
}

// Under field id: where its refusal goes (id-err), and its hint (id-hint).
function fieldErr(id) {
  const err = document.createElement('span');
  err.className = 'field-err';
  err.id = id + '-err';
  err.setAttribute('role', 'alert');
  return err;
}

function fieldHint(id, text) {
  const h = document.createElement('span');
  h.className = 'what';
  h.id = id + '-hint';
  h.textContent = text;
  return h;
}

function clearErrors(form) {
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  for (const e of form.querySelectorAll('.field-err')) e.textContent = '';
}

// A refusal of a PUT to section shown under its field (id prefix-KEY, the
// key from the error's field "section.key"); false when it names none here.
function fieldError(form, prefix, section, e) {
  const key = e.field && e.field.startsWith(section + '.') ? e.field.slice(section.length + 1) : '';
  const el = key && form.elements[key];
  const err = key && $(`#${prefix}-${key}-err`);
  if (!el || !err) return false;
  el.setAttribute('aria-invalid', 'true');
  err.textContent = e.message;
  el.focus();
  return true;
}

function cell(tr, text) {
  const td = document.createElement('td');
  td.textContent = text;
  tr.appendChild(td);
  return td;
}

function fill(tbody, rows, render) {
  tbody.replaceChildren();
  for (const r of rows) {
    const tr = document.createElement('tr');
    render(tr, r);
    tbody.appendChild(tr);
  }
}

function ago(s) {
  if (s < 120) return s + ' s';
  if (s < 7200) return Math.round(s / 60) + ' min';
  return Math.round(s / 3600) + ' h';
}

function bytes(n) {
  if (n < 10000) return n + ' B';
  if (n < 1e7) return Math.round(n / 1e3) + ' kB';
  return Math.round(n / 1e6) + ' MB';
}

async function loadStatus() {
  const s = await api('GET', 'status');
  $('#summary').textContent = 'version ' + s.version + ' · up ' + ago(s.uptime_s) +
    ' · ' + s.flows + ' flows';
  fill($('#links tbody'), s.interfaces, (tr, l) => {
    cell(tr, l.side.toUpperCase());
    cell(tr, l.name);
    cell(tr, (l.address || 'none') + (l.gateway ? ' via ' + l.gateway : ''));
    cell(tr, l.mac || '');
    cell(tr, l.counters ? l.counters.rx_frames + ' / ' + l.counters.tx_frames : '');
  });
  const nz = Object.entries(s.counters).filter(([, v]) => v > 0);
  fill($('#counters tbody'), nz, (tr, [k, v]) => { cell(tr, k); cell(tr, v); });
  showShaper(s.shaper || {});
}

function mbit(bps) {
  return (bps / 1e6).toFixed(bps < 1e7 ? 2 : 1) + ' Mbit/s';
}

// The WAN shaper per direction ([wan] shape_up / shape_down): null when off.
function showShaper(sh) {
  const rows = [['upload', sh.up], ['download', sh.down]].filter(([, d]) => d);
  $('#shaper-off').hidden = rows.length > 0;
  $('#shaper').hidden = rows.length === 0;
  fill($('#shaper tbody'), rows, (tr, [name, d]) => {
    cell(tr, name);
    cell(tr, mbit(d.rate_bps));
    cell(tr, mbit(d.sent_bps));
    cell(tr, d.backlog_packets + ' pkts, ' + bytes(d.backlog_bytes));
    cell(tr, d.active_flows + ' / ' + d.active_hosts);
    cell(tr, d.counters.drop_codel + ' / ' + d.counters.drop_overlimit);
    cell(tr, d.counters.ecn_marked);
  });
}

// Save sends all three switches, so it waits until they show the running values.
async function loadConfig() {
  const f = $('#passthrough');
  f.querySelector('button').disabled = true;
  const c = await api('GET', 'config');
  for (const p of ['pptp', 'ipsec', 'l2tp']) f.elements[p].checked = c.passthrough[p];
  f.querySelector('button').disabled = false;
  if (document.activeElement !== $('#dmz').elements.dmz)
    $('#dmz').elements.dmz.value = c.forward.dmz || '';
}

async function loadForwards() {
  const f = await api('GET', 'forwards');
  fill($('#forwards tbody'), f.rules, (tr, r) => {
    cell(tr, r.id);
    cell(tr, r.rule);
    const b = document.createElement('button');
    b.textContent = 'Delete';
    b.disabled = !session;
    b.onclick = () => change(() => api('DELETE', 'forwards/' + r.id), $('#fw-msg'), 'rule deleted');
    cell(tr, '').appendChild(b);
  });
}

async function loadSessions() {
  const s = await api('GET', 'sessions');
  fill($('#sessions tbody'), s.sessions, (tr, v) => {
    cell(tr, v.kind);
    cell(tr, v.client + (v.client_port ? ':' + v.client_port : ''));
    cell(tr, v.server + (v.server_port ? ':' + v.server_port : ''));
    cell(tr, v.public_port || '');
    cell(tr, v.state + (v.kind === 'pptp' ? ' (' + v.calls + ' calls)' : ''));
    cell(tr, ago(v.since_s));
    cell(tr, bytes(v.bytes[0]) + ' / ' + bytes(v.bytes[1]));
  });
}

async function loadEvents() {
  const e = await api('GET', 'events?after=' + lastEvent);
  const ol = $('#log');
  for (const ev of e.events) {
    const li = document.createElement('li');
    li.value = ev.seq;
    // Debug lines ([log] level = debug) and problems say their level.
    li.textContent = new Date(ev.time * 1000).toLocaleTimeString() + '  ' +
      (ev.level && ev.level !== 'info' ? ev.level + ': ' : '') + ev.text;
    li.className = 'log-' + (ev.level || 'info');
    ol.appendChild(li);
    lastEvent = ev.seq;
  }
  while (ol.children.length > 200) ol.removeChild(ol.firstChild);
  if (e.events.length) ol.scrollTop = ol.scrollHeight;
}

async function refresh() {
  try {
    await Promise.all([loadStatus(), loadSessions(), loadEvents()]);
  } catch (e) {
    $('#summary').textContent = e.message;
  }
}

async function change(fn, msgEl, okText) {
  try {
    await fn();
    say(msgEl, okText, true);
  } catch (e) {
    say(msgEl, e.message, false);
  }
  await Promise.all([loadConfig(), loadForwards()]).catch(() => {});
}

async function start() {
  const a = await api('GET', 'auth').catch(() => ({}));
  canChange = !!a.changes_allowed;
  setSession(session);
  if (!canChange) {
    const n = $('#notice');
    n.textContent = 'Read-only: no password is configured. Set [api] password_hash in the ' +
      'configuration file (passgated --hash-password makes one) to change settings here.';
    n.hidden = false;
  }
  $('#login').onsubmit = async (ev) => {
    ev.preventDefault();
    try {
      const r = await api('POST', 'login', { password: $('#password').value });
      $('#password').value = '';
      setSession(r.session);
      await Promise.all([loadConfig(), loadForwards()]);
      document.dispatchEvent(new Event('pg-login'));
      await refresh();
    } catch (e) {
      $('#summary').textContent = 'login: ' + e.message;
    }
  };
  $('#logout').onclick = async () => {
    await api('POST', 'logout').catch(() => {});
    setSession('');
    await loadForwards();
  };
  $('#passthrough').onsubmit = (ev) => {
    ev.preventDefault();
    const f = ev.target.elements;
    change(() => api('PUT', 'config/passthrough',
      { pptp: f.pptp.checked, ipsec: f.ipsec.checked, l2tp: f.l2tp.checked }),
    $('#pt-msg'), 'saved');
  };
  $('#add-forward').onsubmit = (ev) => {
    ev.preventDefault();
    const rule = ev.target.elements.rule.value.trim();
    change(() => api('POST', 'forwards', { rule }), $('#fw-msg'), 'rule added');
  };
  $('#dmz').onsubmit = (ev) => {
    ev.preventDefault();
    const v = ev.target.elements.dmz.value.trim();
    change(() => api('PUT', 'config/forward', { dmz: v || null }), $('#fw-msg'), 'DMZ saved');
  };
  await Promise.all([loadConfig(), loadForwards()]).catch(() => {});
  await refresh();
  setInterval(refresh, 2000);
}

start();
