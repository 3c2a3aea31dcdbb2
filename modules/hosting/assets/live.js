// live.js of the hosting module: keeps the queue summary and a task's page
// up to date through server-sent events (see web/events.ts). Without it
// every page still works; it only saves reloading.
'use strict';
(function () {
  function follow(url, handlers) {
    if (!window.EventSource) return null;
    var source = new EventSource(url);
    Object.keys(handlers).forEach(function (name) {
      source.addEventListener(name, function (e) { handlers[name](JSON.parse(e.data), source); });
    });
    return source;
  }

  // The queue summary of the header (and the dashboard's counts), followed
  // only while the tab is visible: a browser opens few connections to one
  // host, and hidden tabs holding streams would starve the visible one.
  var summary = document.querySelector('[data-queue-events]');
  if (summary) {
    var queueSource = null;
    var counts = {
      counts: function (c) {
        document.querySelectorAll('[data-queue]').forEach(function (el) {
          var k = el.getAttribute('data-queue');
          if (k in c) el.textContent = String(c[k]);
        });
      },
    };
    var sync = function () {
      if (document.visibilityState === 'visible' && !queueSource) queueSource = follow(summary.getAttribute('data-queue-events'), counts);
      if (document.visibilityState !== 'visible' && queueSource) { queueSource.close(); queueSource = null; }
    };
    document.addEventListener('visibilitychange', sync);
    sync();
  }

  // A task's page: its log lines as the back end writes them, its status, and the end.
  var page = document.querySelector('[data-task-events]');
  if (!page) return;
  var log = page.querySelector('[data-task-log]');
  var status = page.querySelector('[data-task-status]');
  var took = page.querySelector('[data-task-took]');
  var empty = page.querySelector('[data-log-empty]');
  var last = Number(page.getAttribute('data-last-lid') || 0);
  var url = page.getAttribute('data-task-events') + '?after=' + last;
  var badges = { success: 'success', warning: 'warning', error: 'error', processing: 'running', queued: 'info', cancelled: 'neutral' };
  function line(l) {
    if (l.lid <= last) return;
    last = l.lid;
    if (empty) { empty.remove(); empty = null; }
    var li = document.createElement('li');
    li.className = 'log-line log-line--' + l.level;
    li.setAttribute('data-lid', String(l.lid));
    var time = document.createElement('time');
    time.title = l.time + ' UTC';
    time.textContent = l.offset;
    var level = document.createElement('span');
    level.className = 'log-line__level';
    level.textContent = l.level;
    var msg = document.createElement('span');
    msg.className = 'log-line__message';
    msg.textContent = l.message;
    li.append(time, ' ', level, ' ', msg);
    var atBottom = window.innerHeight + window.scrollY >= document.body.scrollHeight - 40;
    log.appendChild(li);
    if (atBottom) li.scrollIntoView({ block: 'end' });
  }
  function setStatus(s) {
    if (!status) return;
    status.textContent = s === 'processing' ? 'running' : s;
    status.className = 'badge badge--' + (badges[s] || 'neutral');
  }
  follow(url, {
    line: line,
    run: function () { log.textContent = ''; last = 0; },
    status: function (s) { setStatus(s.status); if (took && s.took) took.textContent = s.took; },
    end: function (e, source) {
      source.close();
      setStatus(e.status);
      if (e.login && page.hasAttribute('data-login-wait')) { window.location.assign(e.login); return; }
      // The finished page has the final times and the buttons of a finished task.
      window.setTimeout(function () { window.location.reload(); }, 800);
    },
  });
})();
