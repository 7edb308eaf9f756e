import { createHash } from 'node:crypto';
import { dashboardCsp, inlineScriptHashes } from './dashboard-page';

const sha = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

describe('the dashboard CSP', () => {
  it('hashes each inline script exactly as written, and leaves scripts loaded from files to script-src self', () => {
    const importMap = '\n{ "imports": { "preact": "/ui/vendor/preact.mjs" } }\n';
    const html = `<script type="importmap">${importMap}</script><script type="module" src="/ui/js/main.js"></script><script>go()</script>`;
    expect(inlineScriptHashes(html)).toEqual([sha(importMap), sha('go()')]);
    expect(inlineScriptHashes(html.replace(importMap, importMap.trim()))[0]).not.toBe(sha(importMap));
  });

  it('allows only this origin and those hashes, never inline code or other hosts', () => {
    const csp = dashboardCsp('<script type="importmap">{}</script>');
    expect(csp.split('; ')).toEqual(expect.arrayContaining([`script-src 'self' ${sha('{}')}`, "default-src 'none'", "connect-src 'self'", "style-src 'self'", "frame-ancestors 'none'"]));
    expect(csp).not.toMatch(/unsafe|\*|https?:/);
    expect(dashboardCsp('<p>no scripts</p>')).toContain("script-src 'self';");
  });
});
