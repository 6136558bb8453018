// passgate admin page, live graphs: throughput per link and per VPN
// session, flows, drops by reason, from GET /api/v1/history (samples the daemon keeps once a
// second for an hour, once a minute for a day). Plain SVG drawn here: no
// library, nothing fetched from elsewhere, works offline. Uses app.js's
// api() and $().
'use strict';

const SVG_NS = 'http://www.w3.org/2000/svg';
const GRAPH_W = 600;
const GRAPH_H = 140;
const graphRanges = {
  '300': { step: 1, seconds: 300, label: 'last 5 minutes', every: 2000 },
  '3600': { step: 1, seconds: 3600, label: 'last hour', every: 5000 },
  '86400': { step: 60, seconds: 86400, label: 'last day', every: 60000 },
};
// Colours with at least 4.5:1 contrast on white.
const graphColours = ['#1a5fb4', '#a51d2d', '#26734d', '#813d9c', '#8a4f00'];

function svgEl(name, attrs) {
  const e = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  return e;
}

function rateText(v, unit) {
  if (unit === 'bit/s') {
    if (v >= 1e9) return (v / 1e9).toFixed(2) + ' Gbit/s';
    if (v >= 1e6) return (v / 1e6).toFixed(2) + ' Mbit/s';
    if (v >= 1e3) return (v / 1e3).toFixed(1) + ' kbit/s';
    return Math.round(v) + ' bit/s';
  }
  return (Number.isInteger(v) ? v : v.toFixed(1)) + (unit ? ' ' + unit : '');
}

// lines: [{name, label, values (nulls allowed), scale, last}]; xs: each
// sample's place across the window (0 its start, 1 now). Draws into the
// figure #id with a title, an axis maximum and a legend of current values.
function drawGraph(id, title, unit, lines, xs, span) {
  const fig = $('#' + id);
  let max = 0;
  for (const l of lines) for (const v of l.values) if (v !== null) max = Math.max(max, v * l.scale);
  const top = max > 0 ? max * 1.1 : 1;
  const svg = svgEl('svg', {
    viewBox: `0 0 ${GRAPH_W} ${GRAPH_H}`, role: 'img', 'aria-labelledby': id + '-t',
    preserveAspectRatio: 'none', class: 'graph',
  });
  const t = svgEl('title', { id: id + '-t' });
  t.textContent = title + ', ' + span + ': ' + lines.map((l) =>
    l.label + ' now ' + rateText(l.now, unit)).join(', ');
  svg.appendChild(t);
  for (const f of [0.25, 0.5, 0.75])
    svg.appendChild(svgEl('line', { x1: 0, x2: GRAPH_W, y1: GRAPH_H * f, y2: GRAPH_H * f, class: 'grid' }));
  lines.forEach((l, k) => {
    const pts = [];
    l.values.forEach((v, i) => {
      if (v === null) return;
      const x = (xs[i] === undefined ? 1 : xs[i]) * GRAPH_W;
      const y = GRAPH_H - (v * l.scale * GRAPH_H) / top;
      pts.push(x.toFixed(1) + ',' + y.toFixed(1));
    });
    svg.appendChild(svgEl('polyline', {
      points: pts.join(' '), fill: 'none', stroke: graphColours[k % graphColours.length],
      'stroke-width': 2, 'vector-effect': 'non-scaling-stroke',
      'data-series': l.name, 'data-points': pts.length, 'data-now': l.now,
      'data-last': l.last === null || l.last === undefined ? '' : l.last,
    }));
  });
  const legend = document.createElement('figcaption');
  const h = document.createElement('strong');
  h.textContent = title;
  legend.appendChild(h);
  legend.append(' (' + span + ', top ' + rateText(top, unit) + ')');
  lines.forEach((l, k) => {
    const s = document.createElement('span');
    s.className = 'key';
    s.style.setProperty('--key', graphColours[k % graphColours.length]);
    s.textContent = l.label + ': ' + rateText(l.now, unit);
    s.dataset.series = l.name;
    legend.appendChild(s);
  });
  fig.replaceChildren(svg, legend);
}

function lastOf(values) {
  for (let i = values.length - 1; i >= 0; i--) if (values[i] !== null) return values[i];
  return 0;
}

function line(series, name, label, scale) {
  const s = series[name] || { values: [], last: null };
  return { name, label, values: s.values, scale, now: lastOf(s.values) * scale, last: s.last };
}

async function loadGraphs() {
  const r = graphRanges[$('#graph-range').value] || graphRanges['300'];
  const h = await api('GET', `history?step=${r.step}&seconds=${r.seconds}`);
  const s = h.series;
  // Place samples by their time: a daemon up for a minute fills a minute of the window.
  const xs = h.t_ms.map((t) => Math.max(0, 1 - (h.now_ms - t) / (r.seconds * 1000)));
  drawGraph('graph-wan', 'WAN link', 'bit/s', [
    line(s, 'wan.rx_bytes', 'download (in)', 8), line(s, 'wan.tx_bytes', 'upload (out)', 8)], xs, r.label);
  drawGraph('graph-lan', 'LAN link', 'bit/s', [
    line(s, 'lan.tx_bytes', 'to the LAN', 8), line(s, 'lan.rx_bytes', 'from the LAN', 8)], xs, r.label);
  drawGraph('graph-flows', 'Flows', '', [
    line(s, 'flows', 'all', 1), line(s, 'flows.udp', 'UDP', 1), line(s, 'flows.tcp', 'TCP', 1),
    line(s, 'flows.esp', 'ESP', 1), line(s, 'flows.gre', 'GRE', 1)], xs, r.label);
  // Drops: the reasons seen in this window, busiest first (at most five).
  const reasons = Object.keys(s).filter((k) => k.startsWith('drop.') || k.endsWith('.drops'))
    .map((k) => [k, s[k].values.reduce((a, v) => a + (v || 0), 0)])
    .filter(([, sum]) => sum > 0).sort((a, b) => b[1] - a[1]).slice(0, 5);
  drawGraph('graph-drops', 'Drops by reason', 'per s',
    reasons.length ? reasons.map(([k]) => line(s, k, k.replace(/^drop\./, ''), 1))
      : [line(s, 'wan.drops', 'none', 1)], xs, r.label);
  await loadSessionGraph(r, h);
  $('#graph-msg').textContent = '';
}

// Throughput per VPN session (GET /api/v1/history/sessions, sampled once a
// second while the page looks, ten minutes at most): the five busiest now,
// both directions together; each line's data-last is the session's byte
// count (out + in) at its newest sample, as GET /api/v1/sessions counts.
async function loadSessionGraph(r, h) {
  const secs = Math.min(r.seconds, 600);
  const sh = await api('GET', 'history/sessions?seconds=' + secs);
  const xs = sh.t_ms.map((t) => Math.max(0, 1 - (h.now_ms - t) / (r.seconds * 1000)));
  const lines = sh.sessions.map((s) => {
    const values = s.out.values.map((v, i) => (v === null || s.in.values[i] === null ? null : v + s.in.values[i]));
    const name = `${s.kind} ${s.client}:${s.client_port}>${s.server}:${s.server_port}`;
    const last = s.out.last === null || s.in.last === null ? null : s.out.last + s.in.last;
    return { name, label: `${s.kind} ${s.client} \u2192 ${s.server}`, values, scale: 8,
      now: lastOf(values) * 8, last };
  }).sort((a, b) => b.now - a.now).slice(0, 5);
  drawGraph('graph-sessions', 'VPN sessions', 'bit/s',
    lines.length ? lines : [{ name: 'none', label: 'no VPN session', values: [], scale: 8, now: 0, last: null }],
    xs, r.seconds > 600 ? 'last 10 minutes' : r.label);
}

function graphsStart() {
  let timer = null;
  const again = () => {
    clearInterval(timer);
    const r = graphRanges[$('#graph-range').value] || graphRanges['300'];
    timer = setInterval(() => { if (!document.hidden) loadGraphs().catch(() => {}); }, r.every);
    loadGraphs().catch((e) => { $('#graph-msg').textContent = e.message; });
  };
  $('#graph-range').onchange = again;
  again();
}

graphsStart();
