/**
 * The API token lives only in this browser: sessionStorage by default (gone when the tab
 * closes), localStorage when the user asks to be remembered. It is sent as a bearer header
 * and never put in a URL.
 */
const KEY = 'aiopslab.apiToken';

export function readToken() {
  return sessionStorage.getItem(KEY) ?? localStorage.getItem(KEY);
}

export function saveToken(token, remember) {
  forgetToken();
  (remember ? localStorage : sessionStorage).setItem(KEY, token);
}

export function forgetToken() {
  sessionStorage.removeItem(KEY);
  localStorage.removeItem(KEY);
}
