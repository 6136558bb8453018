// passgate admin page, the WAN's DHCP lease ([wan] address = dhcp): the
// lease from GET /api/v1/wan every 2 s (address, gateway, the server that
// gave it, its times) and the Renew / Release buttons, POST
// /api/v1/wan/renew and /api/v1/wan/release (passgatectl wan renew|release).
// Release gives the address back: the WAN is down until Renew. With a
// static WAN address the section says so and offers nothing. Uses app.js's
// api(), $(), say(), ago() and session.
'use strict';

function wanAt(t) {
  if (t === null || t === undefined) return 'none';
  const now = Math.floor(Date.now() / 1000);
  const d = t - now;
  return new Date(t * 1000).toLocaleTimeString() + (d >= 0 ? ' (in ' + ago(d) + ')' : ' (' + ago(-d) + ' ago)');
}

function wanShow(w) {
  const dhcp = w.mode === 'dhcp';
  $('#wan-static').hidden = dhcp;
  $('#wan-dhcp').hidden = !dhcp;
  if (!dhcp) return;
  const l = w.lease;
  const st = $('#wan-state');
  st.textContent = w.state;
  st.className = 'state ' + (l ? 'up' : 'down');
  // The status adds to the state only when it says more ("waiting for DHCP (3 tries ...)").
  $('#wan-status').textContent = w.status && w.status !== w.state ? '(' + w.status + ')' : '';
  $('#wan-address').textContent = l ? l.address + '/' + l.prefix : 'none';
  $('#wan-gateway').textContent = l ? l.gateway : '';
  $('#wan-server').textContent = l ? l.server : '';
  $('#wan-dns').textContent = l && l.dns.length ? l.dns.join(', ') : 'none';
  $('#wan-obtained').textContent = l ? wanAt(l.obtained) : '';
  $('#wan-renews').textContent = l ? wanAt(l.renews_at) : '';
  $('#wan-expires').textContent = l ? wanAt(l.expires_at) + ', lease ' + ago(l.lease_s) : '';
  $('#wan-release').disabled = !session || !l;
  $('#wan-renew').disabled = !session;
}

async function wanLoad() {
  try {
    wanShow(await api('GET', 'wan'));
  } catch (e) {
    // Before logging in, reads may need it too: the header says so already.
    if (session) say($('#wan-msg'), e.message, false);
  }
}

async function wanAct(what) {
  const b = $('#wan-' + what);
  b.disabled = true;
  try {
    wanShow(await api('POST', 'wan/' + what));
    say($('#wan-msg'), what === 'renew' ? 'asked the DHCP server' : 'lease given back: the WAN is down until Renew', true);
  } catch (e) {
    say($('#wan-msg'), e.message, false);
  }
  await wanLoad();
}

$('#wan-renew').onclick = () => wanAct('renew');
$('#wan-release').onclick = () => wanAct('release');
wanLoad();
setInterval(() => { if (!document.hidden) wanLoad(); }, 2000);
