// passgate admin page, the router's own VPN client ([tunnel], docs/HOSTPATH.md
// "The tunnel"): its state from GET /api/v1/tunnel every 2 s, and the kill
// switch, changed with PUT /api/v1/config/tunnel. The kill switch is not a
// lockout risk (docs/CONFIG.md "Safe changes": the page itself never goes
// through the tunnel), so safe.js sends it without probation; a change
// refused because another one waits on probation says so here. Uses app.js's
// api(), $(), say(), ago(), bytes() and session.
'use strict';

let tunnelBusy = false;

function tunnelShow(t) {
  const on = t.state !== 'off';
  $('#tunnel-off').hidden = on;
  $('#tunnel-on').hidden = !on;
  if (!on) return;
  const now = Math.floor(Date.now() / 1000);
  const st = $('#tunnel-state');
  st.textContent = t.state;
  st.className = 'state ' + t.state;
  $('#tunnel-type').textContent = t.type + (t.device ? ' on ' + t.device : '');
  $('#tunnel-since').textContent = t.since
    ? new Date(t.since * 1000).toLocaleString() + ' (' + ago(Math.max(0, now - t.since)) + ' ago, ' +
      t.changes + ' changes)'
    : 'never up';
  $('#tunnel-handshake').textContent = t.handshake_age_s !== undefined && t.handshake_age_s !== null
    ? ago(t.handshake_age_s) + ' ago' : 'none';
  $('#tunnel-bytes').textContent = t.rx_bytes !== undefined
    ? bytes(t.tx_bytes) + ' / ' + bytes(t.rx_bytes) : 'not running';
  $('#tunnel-restarts').textContent = String(t.restarts);
  $('#tunnel-route').textContent = t.route || 'none';
  $('#tunnel-bypass').textContent = t.bypass || 'none';
  const ks = $('#tunnel-ks');
  if (!tunnelBusy) ks.checked = !!t.killswitch;
  ks.disabled = tunnelBusy || !session;
}

async function tunnelLoad() {
  try {
    tunnelShow(await api('GET', 'tunnel'));
  } catch (e) {
    say($('#tunnel-msg'), e.message, false);
  }
}

async function tunnelKillswitch(ev) {
  const want = ev.target.checked;
  tunnelBusy = true;
  ev.target.disabled = true;
  try {
    await api('PUT', 'config/tunnel', { killswitch: want });
    say($('#tunnel-msg'), 'kill switch ' + (want ? 'on' : 'off') + ': the tunnel is rebuilt', true);
  } catch (e) {
    say($('#tunnel-msg'), 'kill switch not changed: ' + e.message, false);
  }
  tunnelBusy = false;
  await tunnelLoad();
}

$('#tunnel-ks').onchange = tunnelKillswitch;
tunnelLoad();
setInterval(() => { if (!document.hidden) tunnelLoad(); }, 2000);
