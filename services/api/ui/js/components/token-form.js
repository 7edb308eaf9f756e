import { useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { saveToken } from '../lib/token.js';

/** Asks for API_TOKEN when the api answered 401; the token stays in this browser only. */
export function TokenForm({ error, refused, onSaved }) {
  const [token, setToken] = useState('');
  const [remember, setRemember] = useState(false);
  const submit = (event) => {
    event.preventDefault();
    if (!token.trim()) return;
    saveToken(token.trim(), remember);
    onSaved();
  };
  return html`
    <form class="card token-form" onSubmit=${submit}>
      <h2>API token required</h2>
      <p>This api is protected by <code>API_TOKEN</code>. Enter it to use the dashboard; it is kept only in this browser${remember ? '' : ' tab'} and sent as a bearer header.</p>
      ${refused ? html`<p class="notice error" role="alert">That token was refused; check the api's API_TOKEN and enter it again.</p>` : null}
      ${error?.detail ? html`<p class="muted small">The api said: ${error.title}: ${error.detail}</p>` : null}
      <label>Token <input type="password" name="token" autocomplete="off" value=${token} onInput=${(e) => setToken(e.currentTarget.value)} autofocus /></label>
      <label class="inline"><input type="checkbox" name="remember" checked=${remember} onChange=${(e) => setRemember(e.currentTarget.checked)} /> Remember on this browser</label>
      <button type="submit" class="primary">Use token</button>
    </form>`;
}
