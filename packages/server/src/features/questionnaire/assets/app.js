// Rapport client pages: autosave each answer, keep unsent answers in memory only, submit once.
// Plain ES2020, no build step. Answers live in memory only: nothing is written to any browser storage.
(() => {
  'use strict';
  const d = document;

  // The link page: post the token at once (the button stays for browsers without script).
  const auto = d.querySelector('form[data-autosubmit]');
  if (auto) {
    auto.submit();
    return;
  }

  // Kiosk set-up: the device token rides in the fragment; post it and drop it from the address bar.
  const setup = d.querySelector('form[data-kiosk-setup]');
  if (setup) {
    const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
    if (m) {
      history.replaceState(null, '', location.pathname);
      setup.elements.token.value = decodeURIComponent(m[1]);
      setup.submit();
    }
    return;
  }

  const form = d.getElementById('questions');
  if (!form || !window.fetch) return;
  const T = form.dataset;
  const progress = d.getElementById('progress');
  const net = d.getElementById('net');
  const status = d.getElementById('submit-status');
  const button = form.querySelector('button[type=submit]');
  const queue = new Map();
  let busy = false;
  let timer = 0;
  let delay = 1000;

  const fieldset = (key) => form.querySelector('fieldset[data-key="' + key + '"]');
  const mark = (key, text, state) => {
    const m = fieldset(key).querySelector('.mark');
    if (m.textContent !== text) m.textContent = text;
    m.dataset.state = state;
  };
  const isAnswered = (fs) => !!fs.querySelector('input:checked') || Array.from(fs.querySelectorAll('input[type=number]')).some((i) => i.value !== '');
  const count = () => {
    const all = Array.from(form.querySelectorAll('fieldset[data-required]'));
    progress.textContent = T.tProgress.replace('{n}', String(all.filter(isAnswered).length)).replace('{total}', String(all.length));
  };
  const showOffline = (offline) => {
    net.hidden = !offline;
  };

  const retryLater = () => {
    clearTimeout(timer);
    timer = setTimeout(flush, delay);
    delay = Math.min(delay * 2, 30000);
  };

  async function flush() {
    if (busy || queue.size === 0) return;
    if (!navigator.onLine) {
      showOffline(true);
      return;
    }
    busy = true;
    const [key, answer] = queue.entries().next().value;
    let response;
    try {
      response = await fetch(T.autosave, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(answer),
        credentials: 'same-origin',
      });
    } catch {
      response = null;
    }
    busy = false;
    if (!response || response.status >= 500 || response.status === 429 || response.status === 408) {
      mark(key, T.tUnsaved, 'pending');
      retryLater();
      return;
    }
    if (queue.get(key) === answer) queue.delete(key);
    if (response.ok) {
      mark(key, T.tSaved, 'saved');
    } else if (response.status === 401 || response.status === 410) {
      location.reload();
      return;
    } else {
      mark(key, T.tUnsaved, 'error');
    }
    delay = 1000;
    flush();
  }

  form.addEventListener('change', (event) => {
    const input = event.target;
    const fs = input.closest('fieldset[data-key]');
    if (!fs) return;
    const value = input.value === '' ? null : Number(input.value);
    queue.set(fs.dataset.key, { instrumentId: fs.dataset.instrument, itemId: fs.dataset.item, value });
    fs.classList.remove('invalid');
    mark(fs.dataset.key, navigator.onLine ? T.tSaving : T.tUnsaved, 'pending');
    count();
    flush();
  });

  addEventListener('offline', () => {
    showOffline(true);
    for (const key of queue.keys()) mark(key, T.tUnsaved, 'pending');
  });
  addEventListener('online', () => {
    showOffline(false);
    delay = 1000;
    clearTimeout(timer);
    flush();
  });

  let submitting = false;
  async function submit() {
    if (submitting) return;
    submitting = true;
    button.disabled = true;
    status.textContent = T.tSubmitting;
    let response;
    try {
      response = await fetch(form.action, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams(new FormData(form)),
        credentials: 'same-origin',
      });
    } catch {
      response = null;
    }
    submitting = false;
    button.disabled = false;
    if (response && response.ok) {
      const body = await response.json();
      location.assign(body.next);
      return;
    }
    if (response && (response.status === 401 || response.status === 410 || response.status === 409)) {
      location.reload();
      return;
    }
    if (response && response.status === 400) {
      const body = await response.json().catch(() => ({}));
      const field = ((body.error && body.error.field) || '').split('.');
      const fs = field.length === 3 ? fieldset(field[1] + '.' + field[2]) : null;
      if (fs) {
        fs.classList.add('invalid');
        mark(fs.dataset.key, T.tInvalid, 'error');
        const first = fs.querySelector('input');
        if (first) first.focus();
      }
      status.textContent = T.tFailed;
      return;
    }
    // Dropped connection: the same submissionId goes again, so a retry never makes a second response.
    // Offline: wait for the network. Online but fetch failed: fall back to the plain form post.
    status.textContent = T.tFailed;
    if (!navigator.onLine) addEventListener('online', submit, { once: true });
    else if (!response) HTMLFormElement.prototype.submit.call(form);
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit();
  });

  count();
  if (!navigator.onLine) showOffline(true);
})();
