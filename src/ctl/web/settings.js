// passgate admin page, settings: every setting PUT /api/v1/config/SECTION
// can change while the gateway runs, one form per section, and the list
// keys [dhcp] host and [dns] name (/api/v1/lists/, docs/API.md). Values
// are sent as the file's own text, so the daemon's file parser accepts or
// refuses them; a refusal names its field ("nat.mss") and the message
// ("[nat] mss: expected a whole number from 536 to 65495") is shown next
// to that field. Only the fields changed are sent. [input] and [host]
// changes go on probation through safe.js. Uses app.js's api(), $(), say()
// and the forms' pieces (saveButton(), statusLine(), fieldError(), ...).
'use strict';

const T = 'text';
const settingsSchema = [
  { section: 'nat', title: 'NAT and MSS clamp', fields: [
    { key: 'filtering', label: 'Inbound filtering', type: 'select',
      options: ['endpoint-independent', 'address-dependent', 'address-and-port-dependent'],
      hint: 'who may send to a mapped port: anyone, the addresses a host talked to, or those addresses and ports' },
    { key: 'mss_clamp', label: 'Clamp the MSS of TCP SYNs', type: 'bool' },
    { key: 'mss', label: 'MSS to clamp to', type: T, numeric: true, hint: 'empty: the egress MTU − 40' },
    { key: 'max_flows_per_host', label: 'Flows per LAN host', type: T, numeric: true, hint: '0: no limit' },
  ] },
  { section: 'icmp', title: 'ICMP answers', fields: [
    { key: 'refused', label: 'Answer to refused inbound packets', type: 'select',
      options: ['silent', 'port-unreachable', 'admin-prohibited'] },
    { key: 'refused_outbound', label: 'Tell a LAN host at once when its new flow cannot be made', type: 'bool' },
    { key: 'error_rate', label: 'ICMP errors per second', type: T, numeric: true },
    { key: 'error_burst', label: 'ICMP error burst', type: T, numeric: true },
  ] },
  { section: 'passthrough', title: 'PPTP sessions', fields: [
    { key: 'pptp_max_sessions', label: 'PPTP control connections followed at once', type: T, numeric: true },
  ] },
  { section: 'timeouts', title: 'Flow timeouts', hint: 'seconds, or e.g. 5m, 2h4m', fields:
    ['tcp_established', 'tcp_transitory', 'tcp_time_wait', 'udp', 'icmp', 'gre', 'esp', 'other']
      .map((k) => ({ key: k, label: k.replace(/_/g, ' ').replace('tcp', 'TCP')
        .replace(/^(udp|icmp|gre|esp)$/, (m) => m.toUpperCase()), type: T, size: 8 })) },
  { section: 'input', title: 'The gateway\u2019s own services', risky: true,
    hint: 'what reaches the gateway itself, e.g. tcp 22, udp 53; none closes all', fields: [
      { key: 'lan', label: 'From the LAN', type: T, size: 40 },
      { key: 'wan', label: 'From the WAN', type: T, size: 40 },
    ] },
  { section: 'host', title: 'Host routes', risky: true, fields: [
    { key: 'routes', label: 'Prefixes the gateway routes', type: T, size: 32, hint: 'e.g. 10.9.0.0/24; none' },
  ] },
  { section: 'dhcp', title: 'DHCP server', list: 'dhcp.host',
    listLabel: 'Fixed addresses', listHint: 'MAC address and IP address', listPlaceholder: '02:00:00:00:00:10 192.168.1.10',
    fields: [
      { key: 'enable', label: 'Hand out addresses', type: 'bool', last: true },
      { key: 'range', label: 'Range', type: T, size: 32, hint: 'FIRST - LAST, inside the LAN' },
      { key: 'lease', label: 'Lease time', type: T, size: 8, hint: 'e.g. 12h' },
      { key: 'dns', label: 'Tell hosts to use the gateway for DNS', type: 'bool' },
    ] },
  { section: 'dns', title: 'DNS', list: 'dns.name',
    listLabel: 'Local names', listHint: 'name and address', listPlaceholder: 'nas.lan 192.168.1.10',
    fields: [
      { key: 'forward', label: 'Answer other names by asking upstream', type: 'bool', last: true },
      { key: 'upstream', label: 'Upstream servers', type: T, size: 32, hint: 'up to 4, or dhcp: the WAN lease\u2019s' },
    ] },
  { section: 'tunnel', title: 'VPN tunnel settings', onlyWith: (c) => c.tunnel && c.tunnel.type !== 'off',
    hint: 'the tunnel is rebuilt with them', fields: [
      { key: 'wg_config', label: 'WireGuard configuration file', type: T, size: 32 },
      { key: 'config', label: 'OpenVPN configuration file', type: T, size: 32 },
      { key: 'address', label: 'Tunnel address', type: T, size: 20 },
      { key: 'dns', label: 'DNS inside the tunnel', type: T, size: 16 },
      { key: 'mtu', label: 'Tunnel MTU', type: T, numeric: true },
      { key: 'route', label: 'Routed through it', type: T, size: 32 },
      { key: 'bypass', label: 'Bypass', type: T, size: 32 },
    ] },
  { section: 'log', title: 'Log', fields: [
    { key: 'level', label: 'Level', type: 'select', options: ['error', 'warn', 'info', 'debug'] },
  ] },
];

let settingsShown = {}; // section -> {key: the text or boolean the form was filled with}

// A value of GET /api/v1/config as the form shows it.
function settingText(v) {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.join(', ');
  return String(v);
}

function settingsBuild() {
  const box = $('#settings');
  for (const s of settingsSchema) {
    const det = document.createElement('details');
    det.id = 'set-' + s.section;
    const sum = document.createElement('summary');
    sum.textContent = s.title;
    det.appendChild(sum);
    const form = document.createElement('form');
    form.className = 'settings';
    form.dataset.section = s.section;
    form.noValidate = true;
    if (s.hint) {
      const p = document.createElement('p');
      p.className = 'hint';
      p.textContent = s.hint;
      form.appendChild(p);
    }
    for (const f of s.fields) {
      const id = `set-${s.section}-${f.key}`;
      const row = document.createElement('div');
      row.className = 'field';
      const label = document.createElement('label');
      label.htmlFor = id;
      label.textContent = f.label;
      let input;
      if (f.type === 'select') {
        input = document.createElement('select');
        for (const o of f.options) input.appendChild(new Option(o, o));
      } else {
        input = document.createElement('input');
        input.type = f.type === 'bool' ? 'checkbox' : 'text';
        if (f.numeric) input.inputMode = 'numeric';
        if (f.type !== 'bool') input.size = f.size || 8;
        input.autocomplete = 'off';
      }
      input.id = id;
      input.name = f.key;
      const err = fieldErr(id);
      const desc = [err.id];
      if (f.hint) {
        const h = fieldHint(id, f.hint);
        desc.push(h.id);
        if (f.type === 'bool') { label.prepend(input, ' '); row.append(label, ' ', h, err); } else row.append(label, input, h, err);
      } else if (f.type === 'bool') {
        label.prepend(input, ' ');
        row.append(label, err);
      } else {
        row.append(label, input, err);
      }
      input.setAttribute('aria-describedby', desc.join(' '));
      form.appendChild(row);
    }
    const bar = document.createElement('div');
    bar.className = 'row';
    bar.append(saveButton(s.title), statusLine(`set-${s.section}-msg`));
    form.appendChild(bar);
    form.onsubmit = (ev) => { ev.preventDefault(); settingsSave(s, form); };
    det.appendChild(form);
    if (s.list) det.appendChild(listBuild(s));
    box.appendChild(det);
  }
}

function settingsFill(c) {
  for (const s of settingsSchema) {
    const det = $('#set-' + s.section);
    det.hidden = !c[s.section] || (s.onlyWith && !s.onlyWith(c));
    if (det.hidden) continue;
    const form = det.querySelector('form.settings');
    const shown = {};
    for (const f of s.fields) {
      const el = form.elements[f.key];
      const v = c[s.section][f.key];
      if (f.type === 'bool') el.checked = shown[f.key] = !!v;
      else el.value = shown[f.key] = settingText(v);
    }
    settingsShown[s.section] = shown;
  }
}

async function settingsSave(s, form) {
  const msg = $(`#set-${s.section}-msg`);
  const shown = settingsShown[s.section] || {};
  const first = {};
  const last = {};
  clearErrors(form);
  for (const f of s.fields) {
    const el = form.elements[f.key];
    const now = f.type === 'bool' ? el.checked : el.value.trim();
    if (now === shown[f.key]) continue;
    // Switching a service on goes after its settings, off before them:
    // each value is checked against the ones before it.
    const into = f.last && now === true ? last : first;
    into[f.key] = f.type === 'bool' ? now : (now === '' ? null : now);
  }
  const body = Object.assign(first, last);
  if (!Object.keys(body).length) {
    say(msg, 'nothing changed', true);
    return;
  }
  try {
    const c = await api('PUT', 'config/' + s.section, body);
    settingsFill(c);
    say(msg, 'saved: ' + Object.keys(body).join(', '), true);
  } catch (e) {
    if (!fieldError(form, 'set-' + s.section, s.section, e)) say(msg, e.message, false);
    else say(msg, 'not saved', false);
  }
}

// A list key: its lines with a Delete button each, and a line to add.
function listBuild(s) {
  const wrap = document.createElement('div');
  wrap.className = 'setting-list';
  const id = 'list-' + s.list.replace('.', '-');
  wrap.id = id;
  const h = document.createElement('h3');
  h.textContent = s.listLabel;
  h.id = id + '-h';
  const ul = document.createElement('ul');
  ul.setAttribute('aria-labelledby', h.id);
  const form = document.createElement('form');
  form.className = 'row';
  const label = document.createElement('label');
  label.htmlFor = id + '-new';
  label.textContent = 'Add (' + s.listHint + ')';
  const input = document.createElement('input');
  input.id = id + '-new';
  input.name = 'value';
  input.placeholder = s.listPlaceholder;
  input.size = 30;
  input.autocomplete = 'off';
  input.setAttribute('aria-describedby', id + '-msg');
  const add = document.createElement('button');
  add.type = 'submit';
  add.textContent = 'Add';
  const msg = statusLine(id + '-msg');
  form.append(label, input, add, msg);
  form.onsubmit = async (ev) => {
    ev.preventDefault();
    input.removeAttribute('aria-invalid');
    try {
      await api('POST', 'lists/' + s.list, { value: input.value.trim() });
      say(msg, 'added', true);
      input.value = '';
    } catch (e) {
      input.setAttribute('aria-invalid', 'true');
      say(msg, e.message, false);
    }
    listLoad(s).catch(() => {});
  };
  wrap.append(h, ul, form);
  return wrap;
}

async function listLoad(s) {
  const id = 'list-' + s.list.replace('.', '-');
  const r = await api('GET', 'lists/' + s.list);
  const ul = $('#' + id + ' ul');
  ul.replaceChildren();
  for (const it of r.items) {
    const li = document.createElement('li');
    const code = document.createElement('code');
    code.textContent = it.value;
    const del = document.createElement('button');
    del.type = 'button';
    del.textContent = 'Delete';
    del.setAttribute('aria-label', 'Delete ' + it.value);
    del.onclick = async () => {
      try {
        await api('DELETE', `lists/${s.list}?id=${it.id}`);
        say($('#' + id + '-msg'), 'deleted', true);
      } catch (e) {
        say($('#' + id + '-msg'), e.message, false);
      }
      listLoad(s).catch(() => {});
    };
    li.append(code, ' ', del);
    ul.appendChild(li);
  }
  if (!r.items.length) {
    const li = document.createElement('li');
    li.textContent = 'none';
    ul.appendChild(li);
  }
}

async function settingsLoad() {
  const c = await api('GET', 'config');
  settingsFill(c);
  await Promise.all(settingsSchema.filter((s) => s.list).map(listLoad));
  $('#settings-msg').textContent = '';
}

settingsBuild();
settingsLoad().catch((e) => { $('#settings-msg').textContent = e.message; });
document.addEventListener('pg-login', () => settingsLoad().catch(() => {}));
