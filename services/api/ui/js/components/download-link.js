import { useState } from 'preact/hooks';
import { authHeaders, toApiError } from '../lib/api.js';
import { readToken } from '../lib/token.js';
import { html } from '../lib/html.js';

/**
 * A link to a file the api serves (export, CSV, session). Without a token it is a plain link,
 * so the browser streams the download itself; with API_TOKEN set a link cannot carry the
 * bearer header, so the click fetches with it and saves the answer from memory.
 */
export function DownloadLink({ href, filename, children, className = 'button' }) {
  const [state, setState] = useState({ busy: false, error: null });
  const click = async (event) => {
    if (!readToken()) return;
    event.preventDefault();
    setState({ busy: true, error: null });
    try {
      const response = await fetch(href, { headers: authHeaders() });
      if (!response.ok) throw await toApiError(response);
      const url = URL.createObjectURL(await response.blob());
      const anchor = Object.assign(document.createElement('a'), { href: url, download: filename });
      anchor.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setState({ busy: false, error: null });
    } catch (error) {
      setState({ busy: false, error });
    }
  };
  return html`
    <a class=${className} href=${href} download=${filename} onClick=${click} aria-busy=${state.busy}>${children}</a>
    ${state.error ? html`<span class="error-text small" role="alert">${state.error.title ?? state.error.message}${state.error.detail ? `: ${state.error.detail}` : ''}</span>` : null}`;
}
