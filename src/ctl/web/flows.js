// passgate admin page, the flow table: IPv4 (NAT) or IPv6 (routed) flows,
// searched by host, protocol, port or forward rule, paged through with the
// API's cursor, and the flows found ended (DELETE /api/v1/flows, pfSense's
// "reset states"). Uses app.js's
// api(), $(), cell(), fill(), say(), ago(), bytes() and session.
'use strict';

const flowView = {
  query: '',      // the filter as a query string, without limit/cursor
  cursors: [0],   // cursors[i]: where page i starts
  page: 0,
  next: null,
  busy: false,
  loadErr: false, // the message shown is a failed load's (cleared by the next good one)
};
const FLOW_PAGE = 50;

// The filter in the form, as URLSearchParams (empty fields left out).
// family=6 picks the IPv6 table (routed, no NAT: no public port, no
// forward rules but pinholes, which the API names by rule= alone).
function flowFilter() {
  const f = $('#flow-search').elements;
  const q = new URLSearchParams();
  for (const k of ['host', 'proto', 'port', 'rule']) {
    const v = f[k].value.trim();
    if (v) q.set(k, v);
  }
  if (f.family.value === '6') q.set('family', '6');
  return q;
}

// The keys that name flows: family alone only picks the table.
const FLOW_NAMING = ['host', 'proto', 'port', 'rule'];

// RFC 5952 section 6: an IPv6 address with a port goes in brackets.
function endpoint(addr, port) {
  if (!port) return addr;
  return (addr.includes(':') ? '[' + addr + ']' : addr) + ':' + port;
}

// The form follows the family: an IPv6 host's example, and forward
// rules (IPv4 mappings) cleared away for IPv6, where the API refuses them.
function flowFamily() {
  const f = $('#flow-search').elements;
  const v6 = f.family.value === '6';
  f.host.placeholder = v6 ? '2001:db8:1::10' : '192.168.1.10';
  f.rule.disabled = v6;
  if (v6) f.rule.value = '';
}

async function loadFlows() {
  if (flowView.busy) return;
  flowView.busy = true;
  try {
    const q = new URLSearchParams(flowView.query);
    q.set('limit', FLOW_PAGE);
    const c = flowView.cursors[flowView.page];
    if (c) q.set('cursor', c);
    const r = await api('GET', 'flows?' + q.toString());
    fill($('#flows tbody'), r.flows, (tr, f) => {
      cell(tr, f.proto + (f.helper ? ' (' + f.helper + ')' : ''));
      cell(tr, f.state || '');
      cell(tr, f.direction);
      cell(tr, endpoint(f.lan, f.lan_port));
      cell(tr, endpoint(f.remote, f.remote_port));
      cell(tr, f.public_port || '');
      cell(tr, ago(f.idle_s));
      cell(tr, f.packets[0] + ' / ' + f.packets[1]);
      cell(tr, bytes(f.bytes[0]) + ' / ' + bytes(f.bytes[1]));
    });
    flowView.next = r.next;
    $('#flow-prev').disabled = flowView.page === 0;
    $('#flow-next').disabled = !r.next;
    $('#flow-page').textContent = 'page ' + (flowView.page + 1) + ': ' + r.flows.length +
      ' shown, ' + r.total + ' flows in the table';
    if (flowView.loadErr) $('#flow-msg').textContent = '';
    flowView.loadErr = false;
  } catch (e) {
    say($('#flow-msg'), e.message, false);
    flowView.loadErr = true;
  } finally {
    flowView.busy = false;
  }
}

// The forward rules as choices for rule=.
async function loadFlowRules() {
  const sel = $('#flow-search').elements.rule;
  const keep = sel.value;
  const f = await api('GET', 'forwards');
  const opts = [new Option('any', '')];
  for (const r of f.rules) opts.push(new Option('#' + r.id + ' ' + r.rule, String(r.id)));
  sel.replaceChildren(...opts);
  sel.value = f.rules.some((r) => String(r.id) === keep) ? keep : '';
}

function flowSearch() {
  flowView.query = flowFilter().toString();
  flowView.cursors = [0];
  flowView.page = 0;
  return loadFlows();
}

async function flowClear() {
  const q = flowFilter();
  const msg = $('#flow-msg');
  if (!FLOW_NAMING.some((k) => q.has(k))) {
    say(msg, 'choose a host, protocol, port or rule first: this never ends every flow', false);
    return;
  }
  try {
    const r = await api('DELETE', 'flows?' + q.toString());
    say(msg, r.ended + ' flows ended', true);
    flowView.loadErr = false;
  } catch (e) {
    say(msg, e.message, false);
  }
  await flowSearch();
}

function flowsStart() {
  $('#flow-search').onsubmit = (ev) => {
    ev.preventDefault();
    flowSearch();
  };
  $('#flow-clear').onclick = flowClear;
  $('#flow-search').elements.family.onchange = () => {
    flowFamily();
    flowSearch();
  };
  flowFamily();
  $('#flow-prev').onclick = () => {
    if (flowView.page > 0) flowView.page--;
    loadFlows();
  };
  $('#flow-next').onclick = () => {
    if (!flowView.next) return;
    flowView.cursors[flowView.page + 1] = flowView.next;
    flowView.page++;
    loadFlows();
  };
  loadFlowRules().catch(() => {});
  flowSearch();
  setInterval(() => {
    // Ending flows needs a login; the button says so by being off.
    $('#flow-clear').disabled = !session && canChange;
    if (!document.hidden) loadFlows();
  }, 3000);
  setInterval(() => { if (!document.hidden) loadFlowRules().catch(() => {}); }, 15000);
}

flowsStart();
