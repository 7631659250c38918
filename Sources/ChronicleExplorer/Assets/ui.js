// Page-wide pieces every view may use: the status line, the token and confirm dialogs, navigation.

import { getToken, setToken } from './api.js';

/** Filled in by app.js: go to a URL of the explorer, or draw the current one again. */
export const hooks = { navigate: (href) => { location.href = href; }, refresh: () => {}, tokenChanged: () => {} };
export const navigate = (href, options) => hooks.navigate(href, options);

let statusTimer = 0;
/** A short message in the always-present #status line (role="status"). */
export function setStatus(text) {
  const el = document.getElementById('status');
  if (!el) return;
  clearTimeout(statusTimer);
  el.textContent = text || '';
  if (text) statusTimer = setTimeout(() => { el.textContent = ''; }, 10000);
}

function updateTokenButton() {
  const button = document.getElementById('token-button');
  if (button) button.textContent = getToken() ? 'Signed in · Sign out' : 'Sign in to edit';
}

export function openTokenDialog() {
  const dialog = document.getElementById('token-dialog');
  if (!dialog || dialog.open) return;
  document.getElementById('token-input').value = '';
  dialog.showModal();
}

export function setupTokenDialog() {
  const dialog = document.getElementById('token-dialog');
  const input = document.getElementById('token-input');
  document.getElementById('token-button').addEventListener('click', () => {
    if (getToken()) {
      setToken('');
      updateTokenButton();
      hooks.tokenChanged();
      setStatus('Signed out.');
    } else openTokenDialog();
  });
  document.getElementById('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const token = input.value.trim();
    input.value = '';
    dialog.close();
    if (!token) return;
    setToken(token);
    updateTokenButton();
    hooks.tokenChanged();
    setStatus('Signed in: you can edit now.');
  });
  document.getElementById('token-cancel').addEventListener('click', () => dialog.close());
  updateTokenButton();
}

/** A modal yes/no question in #confirm-dialog (never window.confirm); resolves true for yes. */
export function confirmDialog(title, text, yes = 'Delete') {
  const dialog = document.getElementById('confirm-dialog');
  document.getElementById('confirm-title').textContent = title;
  document.getElementById('confirm-text').textContent = text;
  document.getElementById('confirm-ok').textContent = yes;
  dialog.returnValue = '';
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.showModal();
    document.getElementById('confirm-cancel').focus();
  });
}
