// passgate admin page, settings applied at the next restart: links,
// addresses, MTUs, the flow table's size, [datapath], the shaper's rates
// and the API's address (docs/API.md "Settings that wait for a restart").
// They are saved into the configuration file only (PUT
// /api/v1/config/restart/SECTION), checked by the file's own parser (a
// refusal is shown under its field), and listed as pending, with the diff
// of the file against the running configuration, until passgated restarts.
// No probation here: the running daemon cannot roll back across its own
// restart, so the page says which of them could cut you off instead.
// Uses app.js's api(), $(), say() and the forms' pieces (saveButton(),
// statusLine(), fieldError(), ...).
'use strict';

const restartSchema = [
  { section: 'lan', title: 'LAN', fields: [
    { key: 'address', label: 'Address', size: 20, hint: 'e.g. 192.168.1.1/24' },
    { key: 'mtu', label: 'MTU', size: 6 },
    { key: 'interface', label: 'Interface', size: 12 },
    { key: 'address6', label: 'IPv6 address', size: 24, hint: 'pd, or e.g. 2001:db8:1::1/64' },
    { key: 'dns6', label: 'IPv6 DNS told to hosts', size: 24, hint: 'gateway, or an address' },
  ] },
  { section: 'wan', title: 'WAN', fields: [
    { key: 'address', label: 'Address', size: 20, hint: 'dhcp, or e.g. 198.51.100.2/24' },
    { key: 'gateway', label: 'Next hop', size: 16 },
    { key: 'mtu', label: 'MTU', size: 6 },
    { key: 'interface', label: 'Interface', size: 12 },
    { key: 'shape_up', label: 'Shaper, upload', size: 10, hint: 'e.g. 40mbit, or off' },
    { key: 'shape_down', label: 'Shaper, download', size: 10 },
  ] },
  { section: 'nat', title: 'Flow table', fields: [
    { key: 'max_flows', label: 'Flows at most', size: 10, hint: 'memory is allocated for them at start' },
  ] },
  { section: 'datapath', title: 'Data path', fields: [
    { key: 'backend', label: 'Backend', size: 10, hint: 'auto, afxdp, afpacket' },
    { key: 'workers', label: 'Worker threads', size: 4 },
    { key: 'offload', label: 'XDP fast path', size: 6, hint: 'auto, on, off' },
  ] },
  { section: 'api', title: 'This page', fields: [
    { key: 'listen', label: 'Listen on', size: 20, hint: 'ADDRESS:PORT, or off' },
  ] },
];

let restartShown = {}; // section -> {key: the file's text the form was filled with}

function restartField(s, f) {
  const id = `rst-${s.section}-${f.key}`;
  const row = document.createElement('div');
  row.className = 'field';
  const label = document.createElement('label');
  label.htmlFor = id;
  label.textContent = f.label;
  const input = document.createElement('input');
  input.type = 'text';
  input.id = id;
  input.name = f.key;
  input.size = f.size;
  input.autocomplete = 'off';
  input.placeholder = 'default';
  // What runs now, and whether the file says otherwise.
  const now = document.createElement('span');
  now.className = 'what';
  now.id = id + '-now';
  const err = fieldErr(id);
  const desc = [err.id, now.id];
  row.append(label, input, now);
  if (f.hint) {
    const h = fieldHint(id, f.hint);
    desc.push(h.id);
    row.append(' ', h);
  }
  row.append(err);
  input.setAttribute('aria-describedby', desc.join(' '));
  return row;
}

function restartBuild() {
  const det = document.createElement('details');
  det.id = 'set-restart';
  const sum = document.createElement('summary');
  sum.textContent = 'Links, addresses, MTUs: applied at the next restart';
  const how = document.createElement('p');
  how.className = 'hint';
  how.textContent = 'These are saved into the configuration file and wait there, pending, until ' +
    'passgated restarts: systemctl restart passgate. The service runs passgated -k, which ' +
    'hands the flows to the new process, so VPN sessions carry on. A reload does not apply ' +
    'them (it refuses the file while they differ). There is no automatic rollback for these: ' +
    'the running gateway cannot undo a change across its own restart. If you change the LAN ' +
    'address or where this page listens, the page moves there after the restart; keep a ' +
    'console at hand.';
  const state = document.createElement('p');
  state.id = 'restart-state';
  state.setAttribute('role', 'status');
  const risk = document.createElement('p');
  risk.id = 'restart-risk';
  risk.className = 'msg err';
  risk.hidden = true;
  const diff = document.createElement('pre');
  diff.id = 'restart-diff';
  diff.className = 'diff';
  diff.tabIndex = 0;
  diff.setAttribute('aria-label', 'The configuration file against the running configuration');
  diff.hidden = true;
  const bar = document.createElement('div');
  bar.className = 'row';
  const discard = document.createElement('button');
  discard.type = 'button';
  discard.id = 'restart-discard';
  discard.textContent = 'Discard pending changes';
  discard.hidden = true;
  const dmsg = statusLine('restart-discard-msg');
  discard.onclick = async () => {
    try {
      restartFill(await api('DELETE', 'config/restart'));
      say(dmsg, 'the file has the running values again', true);
    } catch (e) {
      say(dmsg, e.message, false);
    }
  };
  bar.append(discard, dmsg);
  det.append(sum, how, state, risk, diff, bar);

  for (const s of restartSchema) {
    const form = document.createElement('form');
    form.className = 'settings';
    form.noValidate = true;
    form.id = `rst-${s.section}`;
    const fs = document.createElement('fieldset');
    const lg = document.createElement('legend');
    lg.textContent = s.title;
    fs.appendChild(lg);
    for (const f of s.fields) fs.appendChild(restartField(s, f));
    const row = document.createElement('div');
    row.className = 'row';
    row.append(saveButton(s.title + ' for the next restart'), statusLine(`rst-${s.section}-msg`));
    fs.appendChild(row);
    form.appendChild(fs);
    form.onsubmit = (ev) => { ev.preventDefault(); restartSave(s, form); };
    det.appendChild(form);
  }
  $('#settings').appendChild(det);
}

// r: GET /api/v1/config/restart's answer.
function restartFill(r) {
  restartShown = {};
  for (const s of restartSchema) {
    const form = $(`#rst-${s.section}`);
    const shown = {};
    for (const f of s.fields) {
      const v = (r.settings[s.section] || {})[f.key] || { file: null, running: null };
      form.elements[f.key].value = shown[f.key] = v.file === null ? '' : v.file;
      const run = v.running === null ? 'default' : v.running;
      $(`#rst-${s.section}-${f.key}-now`).textContent =
        v.file === v.running ? 'running: ' + run : 'running: ' + run + ' \u2014 pending until restart';
    }
    restartShown[s.section] = shown;
  }
  const state = $('#restart-state');
  if (r.pending.length) {
    state.textContent = 'Pending until restart: ' + r.pending.join(', ') + ' (saved to ' +
      r.saved_to + '; running values unchanged).';
    state.className = 'msg pending';
  } else {
    state.textContent = 'Nothing waits for a restart: the file and the running configuration agree on these.';
    state.className = 'msg';
  }
  const risk = $('#restart-risk');
  risk.hidden = !r.lockout_risk.length;
  risk.textContent = r.lockout_risk.length
    ? 'After the restart these could cut you off from this page: ' + r.lockout_risk.join(', ') +
      '. No rollback applies across a restart.'
    : '';
  const diff = $('#restart-diff');
  diff.textContent = r.diff || '';
  diff.hidden = !r.diff;
  $('#restart-discard').hidden = !r.pending.length;
}

async function restartSave(s, form) {
  const msg = $(`#rst-${s.section}-msg`);
  const shown = restartShown[s.section] || {};
  const body = {};
  clearErrors(form);
  for (const f of s.fields) {
    const now = form.elements[f.key].value.trim();
    if (now !== shown[f.key]) body[f.key] = now === '' ? null : now;
  }
  if (!Object.keys(body).length) {
    say(msg, 'nothing changed', true);
    return;
  }
  try {
    restartFill(await api('PUT', 'config/restart/' + s.section, body));
    say(msg, 'saved: ' + Object.keys(body).join(', ') + ' \u2014 pending until restart', true);
  } catch (e) {
    if (fieldError(form, 'rst-' + s.section, s.section, e)) say(msg, 'not saved', false);
    else say(msg, e.message, false);
  }
}

async function restartLoad() {
  restartFill(await api('GET', 'config/restart'));
}

restartBuild();
$('#restart-state').textContent = 'Log in to see and change these.';
restartLoad().catch(() => {}); // with a kept session; 401/403 before logging in
// Needs a change's credentials to read (the file holds the password hashes).
document.addEventListener('pg-login', () => restartLoad().catch((e) => {
  $('#restart-state').textContent = e.message;
}));
