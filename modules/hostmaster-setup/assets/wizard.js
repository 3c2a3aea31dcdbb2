// wizard.js of the first-run wizard: follows the install, and once the
// hostmaster's own web server answers on this address (the wizard handed
// its port over), opens the administrator's one-time login link.
'use strict';
(function () {
  var list = document.querySelector('[data-setup-progress]');
  if (!list) return;
  var login = (document.querySelector('[data-login-link]') || { getAttribute: function () { return null; } }).getAttribute('data-login-link');
  var shown = list.children.length;
  function step(text) {
    var li = document.createElement('li');
    li.className = 'log-line log-line--info';
    li.textContent = text;
    list.appendChild(li);
  }
  function waitForHostmaster() {
    // A hostmaster on another port runs once the wizard has stopped: go there at once.
    if (login && new URL(login).origin !== window.location.origin) { window.location.assign(login); return; }
    fetch('/user/login', { cache: 'no-store', redirect: 'manual' }).then(function (r) {
      if (r.headers.get('X-Aegir-Setup') === '1' || r.status >= 500) throw new Error('not yet');
      window.location.assign(login || '/');
    }).catch(function () { window.setTimeout(waitForHostmaster, 700); });
  }
  function poll() {
    fetch('/setup/progress.json', { cache: 'no-store' }).then(function (r) {
      if (r.headers.get('X-Aegir-Setup') !== '1') throw new Error('handed over');
      return r.json();
    }).then(function (p) {
      for (; shown < p.steps.length; shown++) step(p.steps[shown]);
      if (p.login) login = p.login;
      if (!p.installing) { window.location.reload(); return; }
      window.setTimeout(poll, 700);
    }).catch(function () {
      // The wizard stopped listening: the hostmaster's web server is starting on this port.
      step('Starting the hostmaster…');
      waitForHostmaster();
    });
  }
  poll();
})();
