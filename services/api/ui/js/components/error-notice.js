import { html } from '../lib/html.js';

/**
 * An error as a readable message: what failed (`action`), the api's title and detail, each bad
 * field with its rule, and the request id to quote in a bug report. Never raw JSON.
 */
export function ErrorNotice({ error, action }) {
  if (!error) return null;
  const title = error.title ?? error.message ?? String(error);
  return html`
    <div class="notice error" role="alert">
      <strong>${action ? `${action}: ` : ''}${title}</strong>
      ${error.detail ? html`<div>${error.detail}</div>` : null}
      ${error.fields?.length
        ? html`<ul>${error.fields.map((f) => html`<li><code>${f.field}</code> ${f.message ?? f.rule}</li>`)}</ul>`
        : null}
      ${error.requestId ? html`<div class="muted small">request id ${error.requestId}</div>` : null}
    </div>`;
}
