// passgate admin page, packet capture: arm a capture of what crosses the
// gateway (POST /api/v1/capture), watch its counts, stop it, and download
// the pcap. The download needs the session's Authorization header, so the
// file is fetched here and handed to the browser as a blob. Uses app.js's
// api(), $(), say() and session.
'use strict';

let captureTimer = null;

function captureShow(c) {
  const st = $('#cap-state');
  if (!c || c.state === 'idle') {
    st.textContent = 'no capture';
  } else {
    st.textContent = c.state + (c.filter ? ' · filter ' + c.filter : '') + ' · ' + c.link +
      ' · ' + c.packets + ' packets, ' + bytes(c.bytes) +
      (c.seconds_left !== null && c.seconds_left !== undefined ? ' · ' + c.seconds_left + ' s left' : '') +
      (c.ended_by ? ' · ended by ' + c.ended_by : '') + (c.no_room ? ' · ' + c.no_room + ' did not fit' : '');
  }
  const running = !!c && c.state === 'running';
  $('#cap-start').disabled = running || !session;
  $('#cap-stop').disabled = !running;
  $('#cap-download').disabled = !(c && c.state === 'done' && c.packets > 0);
  if (!running && captureTimer) {
    clearInterval(captureTimer);
    captureTimer = null;
  }
}

async function captureLoad() {
  if (!session) {
    $('#cap-state').textContent = 'log in to capture: a capture holds other people\'s packets';
    $('#cap-start').disabled = true;
    return;
  }
  try {
    captureShow(await api('GET', 'capture'));
  } catch (e) {
    say($('#cap-msg'), e.message, false);
  }
}

function captureWatch() {
  if (!captureTimer) captureTimer = setInterval(captureLoad, 1000);
}

async function captureStart(ev) {
  ev.preventDefault();
  const f = ev.target.elements;
  const body = { link: f.link.value };
  if (f.filter.value.trim()) body.filter = f.filter.value.trim();
  const secs = f.seconds.value.trim();
  if (secs) body.seconds = Number(secs);
  try {
    captureShow(await api('POST', 'capture', body));
    say($('#cap-msg'), 'capturing', true);
    captureWatch();
  } catch (e) {
    say($('#cap-msg'), e.message, false);
  }
}

async function captureDownload() {
  try {
    const r = await fetch('/api/v1/capture/pcap', { headers: { Authorization: 'Bearer ' + session } });
    if (!r.ok) throw new Error((await r.json().catch(() => ({}))).error || r.status + ' ' + r.statusText);
    const url = URL.createObjectURL(await r.blob());
    const a = document.createElement('a');
    a.href = url;
    a.download = 'passgate-' + new Date().toISOString().replace(/[:.]/g, '-') + '.pcap';
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    say($('#cap-msg'), 'downloaded', true);
  } catch (e) {
    say($('#cap-msg'), e.message, false);
  }
}

function captureStart0() {
  $('#capture').onsubmit = captureStart;
  $('#cap-stop').onclick = async () => {
    try {
      captureShow(await api('POST', 'capture/stop'));
    } catch (e) {
      say($('#cap-msg'), e.message, false);
    }
  };
  $('#cap-download').onclick = captureDownload;
  captureLoad();
  // Log in or out shows on the next look.
  setInterval(() => { if (!captureTimer && !document.hidden) captureLoad(); }, 2000);
}

captureStart0();
