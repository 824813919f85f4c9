/**
 * The stylesheet and the one script of `ao web`, served by ao (no CDN). The
 * script keeps the pages live from /api/events/stream and acts through the
 * API; it writes text into the page (textContent), never markup, so nothing
 * an agent wrote can run. The colours are the dashboard's (ui/theme.ts):
 * running green, waiting and backoff yellow, paused cyan, stalled, dead and
 * failed red, stopped dim. Dark and light follow the system.
 */
export const CSS = `
:root{color-scheme:light dark;--bg:#fff;--fg:#1b1f24;--dim:#6a737d;--line:#d8dee4;--card:#f6f8fa;
--green:#1a7f37;--yellow:#9a6700;--cyan:#0a7b8f;--red:#cf222e;--accent:#0969da}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--dim:#8b949e;--line:#30363d;--card:#161b22;
--green:#3fb950;--yellow:#d29922;--cyan:#39c5cf;--red:#f85149;--accent:#58a6ff}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;overflow-wrap:anywhere}
main{padding:0 12px 24px;max-width:1200px;margin:0 auto}
a{color:var(--accent)}
.nav{display:flex;gap:4px;align-items:center;padding:0 8px;border-bottom:1px solid var(--line);position:sticky;top:0;background:var(--bg);z-index:1}
.nav a{display:inline-flex;align-items:center;min-height:44px;min-width:44px;padding:0 12px;text-decoration:none;font-weight:600}
.nav .project{margin-left:auto;color:var(--dim);overflow:hidden;text-overflow:ellipsis;white-space:nowrap;min-width:0}
.banner{position:sticky;top:44px;z-index:2;background:var(--yellow);color:#000;padding:10px 12px;font-weight:600}
h1{font-size:1.15rem;margin:12px 0 8px}
h2{font-size:1rem;margin:20px 0 8px}
.dim{color:var(--dim)}
.note,.callout{border-left:4px solid var(--yellow);padding:6px 10px;background:var(--card)}
.steps{display:flex;flex-wrap:wrap;gap:6px;list-style:none;padding:0;margin:0}
.step{padding:4px 10px;border:1px solid var(--line);border-radius:999px;font-size:.85rem}
.step.done{color:var(--dim);text-decoration:line-through}
.step.current{border-color:var(--accent);color:var(--accent);font-weight:700}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
thead th{font-size:.8rem;color:var(--dim);font-weight:600}
.agents th a{display:inline-flex;align-items:center;min-height:44px;min-width:44px}
.s-running [data-f=state],.badge.s-running{color:var(--green)}
.s-waiting [data-f=state],.s-backoff [data-f=state],.badge.s-waiting,.badge.s-backoff{color:var(--yellow)}
.s-paused [data-f=state],.badge.s-paused{color:var(--cyan)}
.s-stalled [data-f=state],.s-dead [data-f=state],.s-failed [data-f=state],.badge.s-stalled,.badge.s-dead,.badge.s-failed{color:var(--red)}
.s-stopped,.badge.s-stopped{color:var(--dim)}
[data-f=state]{font-weight:700}
.waiting{color:var(--yellow)}
.badge{font-size:.9rem}
.events,.inbox,.signals,.claims{padding-left:0;list-style:none;margin:0}
.events li,.inbox li,.signals li,.claims li{padding:4px 0;border-bottom:1px solid var(--line)}
.events time,.inbox time{color:var(--dim);font-size:.8rem}
.ev{color:var(--accent)}
pre.text{background:var(--card);border:1px solid var(--line);padding:8px;overflow-x:auto;max-width:100%;white-space:pre;font:12px/1.35 ui-monospace,SFMono-Regular,Menlo,monospace;max-height:60vh}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;overflow-wrap:anywhere}
button,select{min-height:44px;min-width:44px;padding:0 16px;font:inherit;border-radius:6px;border:1px solid var(--line);background:var(--card);color:var(--fg)}
button{cursor:pointer;font-weight:600}
textarea{width:100%;font:inherit;padding:8px;border-radius:6px;border:1px solid var(--line);background:var(--bg);color:var(--fg);min-height:88px}
.message{display:flex;flex-direction:column;gap:6px}
.message button{align-self:flex-start}
.buttons{display:flex;flex-wrap:wrap;gap:8px;margin-top:8px;align-items:center}
.inline{display:flex;gap:6px;align-items:center;flex-wrap:wrap}
.result{min-height:1.4em}
.fleet{list-style:none;padding:0;margin:0;display:grid;gap:10px;grid-template-columns:repeat(auto-fill,minmax(min(100%,320px),1fr))}
.card{border:1px solid var(--line);border-radius:8px;padding:6px 12px;background:var(--card);display:flex;flex-wrap:wrap;gap:4px 10px;align-items:center;min-width:0}
.card .open{display:inline-flex;align-items:center;min-height:44px;min-width:44px;font-size:1.05rem}
.card .where{color:var(--dim)}
.card .fstate{margin-left:auto;font-weight:700}
.card p{margin:0;flex-basis:100%;min-width:0}
.card .error{color:var(--red)}
.f-healthy .fstate{color:var(--green)}
.f-unhealthy .fstate,.f-asking .fstate{color:var(--yellow)}
.f-unreachable .fstate,.f-error .fstate{color:var(--red)}
@media (max-width:700px){
  .agents thead{display:none}
  .agents,.agents tbody,.agents tr,.agents th,.agents td{display:block;width:100%}
  .agents tr{border:1px solid var(--line);border-radius:8px;margin:0 0 10px;padding:4px 10px;background:var(--card)}
  .agents td,.agents th{border:0;padding:2px 0;display:flex;gap:8px}
  .agents td::before{content:attr(data-label);color:var(--dim);min-width:7.5em;flex:none}
  .agents td:empty{display:none}
  .agents th a{font-size:1.05rem}
}
`;

export const SCRIPT = `'use strict';
(function () {
  var body = document.body;
  var page = body.dataset.page;
  var banner = document.getElementById('banner');
  // the project's prefix on a fleet's server ('' on a single project's): every URL below is under it
  var base = body.dataset.base || '';
  function text(el, value) { if (el && el.textContent !== value) el.textContent = value; }
  function post(url, payload) {
    return fetch(url, { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(payload || {}) })
      .then(function (r) { return r.json().catch(function () { return {}; }).then(function (j) { return { ok: r.ok, body: j }; }); });
  }
  function result(outcome) {
    var el = document.getElementById('action-result');
    var b = outcome.body || {};
    text(el, outcome.ok ? (b.output || 'done') : (b.error || 'refused'));
    if (el) el.className = 'result ' + (outcome.ok ? 'ok' : 'error');
  }
  function applyStatus(view) {
    text(document.getElementById('phase-header'), view.header);
    view.phases.forEach(function (p) {
      var li = document.querySelector('[data-phase="' + CSS.escape(p.id) + '"]');
      if (li) li.className = 'step ' + p.at;
    });
    if (page !== 'team') {
      var mine = view.agents.filter(function (a) { return a.name === body.dataset.agent; })[0];
      if (mine) { text(document.getElementById('agent-pid'), mine.cells.pid); text(document.getElementById('agent-state'), mine.cells.state); }
      return;
    }
    view.agents.forEach(function (a) {
      var row = document.querySelector('tr[data-agent="' + CSS.escape(a.name) + '"]');
      if (!row) { location.reload(); return; }
      row.className = 'agent s-' + a.state;
      Object.keys(a.cells).forEach(function (k) { text(row.querySelector('[data-f="' + k + '"]'), a.cells[k]); });
    });
  }
  var lastSeq = Number((document.getElementById('events') || body).dataset.after || 0);
  function addEvent(e) {
    var list = document.getElementById('events');
    if (!list) return;
    // an event the page shows already (its backlog overlaps what the server rendered) is not shown twice
    if (typeof e.seq === 'number') { if (e.seq <= lastSeq) return; lastSeq = e.seq; }
    var li = document.createElement('li');
    if (e.seq !== undefined) li.dataset.seq = String(e.seq);
    var time = document.createElement('time'); time.textContent = e.time || '';
    var who = document.createElement('b'); who.textContent = e.agent || '';
    var ev = document.createElement('span'); ev.className = 'ev'; ev.textContent = e.event || '';
    li.append(time, ' ', who, ' ', ev, ' ', e.reason || '');
    list.prepend(li);
    while (list.children.length > 200) list.lastElementChild.remove();
  }
  var reloadTimer = null;
  function refreshAgent() {
    if (page !== 'agent' || document.visibilityState !== 'visible') return;
    fetch(base + '/api/agents/' + encodeURIComponent(body.dataset.agent) + '/screen', { credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s) return;
        var none = document.getElementById('screen-none');
        if (none) none.hidden = s.lines !== null;
        text(document.getElementById('screen'), (s.lines || []).join('\\n'));
      }).catch(function () {});
  }
  // the agent's and the phase's sections as the server renders them now: parsed (which runs nothing) and their nodes put in place
  function swapLive() {
    fetch(location.pathname, { credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (page) {
        if (page === null) return;
        var doc = new DOMParser().parseFromString(page, 'text/html');
        document.querySelectorAll('section.live[id]').forEach(function (old) {
          var fresh = doc.getElementById(old.id);
          if (fresh) old.replaceWith(document.adoptNode(fresh));
        });
      }).catch(function () {});
  }
  function connect() {
    var source = new EventSource(base + '/api/events/stream' + (lastSeq > 0 ? '?after=' + lastSeq : ''));
    source.onopen = function () { banner.hidden = true; };
    source.onerror = function () { banner.hidden = false; };
    source.addEventListener('status', function (m) { applyStatus(JSON.parse(m.data).view); });
    source.addEventListener('event', function (m) { addEvent(JSON.parse(m.data)); });
    source.addEventListener('change', function (m) {
      var names = JSON.parse(m.data);
      var agent = body.dataset.agent;
      var wanted = function (n) { return page === 'phase' ? /^(JOURNAL|REVIEW)-|^phase[.]json$|^usage/.test(n) : n === 'agents.json' || n === agent + '.md'; };
      if (page !== 'team' && names.some(wanted)) { clearTimeout(reloadTimer); reloadTimer = setTimeout(swapLive, 200); }
    });
  }
  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    if (form.id === 'message-form') {
      ev.preventDefault();
      var box = form.querySelector('textarea');
      // a remote team's form names its recipient in a select
      var to = form.dataset.agent || form.querySelector('select').value;
      post(base + '/api/agents/' + encodeURIComponent(to) + '/messages', { text: box.value }).then(function (o) { result(o); if (o.ok) box.value = ''; });
    } else if (form.id === 'phase-set') {
      ev.preventDefault();
      post(base + '/api/phase/set', { id: form.querySelector('select').value }).then(result);
    }
  });
  document.addEventListener('click', function (ev) {
    var b = ev.target.closest && ev.target.closest('button[data-action]');
    if (!b) return;
    var a = b.dataset.action;
    if (a === 'phase-next') post(base + '/api/phase/next').then(result);
    else if ((a === 'restart' || a === 'stop') && confirm(a + ' ' + b.dataset.agent + '?')) post(base + '/api/agents/' + encodeURIComponent(b.dataset.agent) + '/' + a).then(result);
  });
  // the fleet's page and a remote team have no feed here: they are read again while visible (the server asks
  // local projects at most every second and each host every two, whatever the number of pages)
  if (page === 'fleet' || page === 'remote') {
    setInterval(function () { if (document.visibilityState === 'visible') swapLive(); }, page === 'fleet' ? 1000 : 2500);
    return;
  }
  connect();
  if (page === 'agent') { setInterval(refreshAgent, 2000); document.addEventListener('visibilitychange', refreshAgent); }
})();
`;
