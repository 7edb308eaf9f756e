import { useEffect, useState } from 'preact/hooks';
import { ErrorNotice } from './components/error-notice.js';
import { HealthBanner } from './components/health-banner.js';
import { TokenForm } from './components/token-form.js';
import { onUnauthorized } from './lib/api.js';
import { html } from './lib/html.js';
import { matchRoute, navigate, useLocation } from './lib/router.js';
import { forgetToken, readToken } from './lib/token.js';
import { HOME, NAV, ROUTES } from './routes.js';

function NavBar({ path, hasToken, onForget }) {
  return html`
    <header class="topbar">
      <a class="brand" href=${HOME}>AIOpsLab <span>tasks</span></a>
      <nav>
        ${NAV.map((route) => html`<a href=${route.path} class=${path.startsWith(route.path) ? 'active' : ''}>${route.nav}</a>`)}
      </nav>
      <div class="topbar-right">
        ${hasToken ? html`<button type="button" class="link" onClick=${onForget}>Forget token</button>` : null}
        <a href="/docs" target="_blank" rel="noopener">API docs</a>
      </div>
    </header>`;
}

/** The shell: navigation, the token prompt on 401, and the view the path names. */
export function App() {
  const location = useLocation();
  const [authError, setAuthError] = useState(null);
  const [generation, setGeneration] = useState(0);
  // A 401 while a token is stored means that token was refused: drop it and say so.
  useEffect(() => onUnauthorized((error) => {
    const refused = Boolean(readToken());
    if (refused) forgetToken();
    // A view's parallel requests all fail: the first one tells whether a token was refused.
    setAuthError((shown) => shown ?? { error, refused });
  }), []);

  const isRoot = location.path === '/ui' || location.path === '/ui/';
  useEffect(() => {
    if (isRoot) navigate(HOME + location.search, { replace: true });
  }, [isRoot]);

  const matched = isRoot ? null : matchRoute(ROUTES, location.path);
  useEffect(() => {
    document.title = `${matched?.route.title ?? 'Not found'} · AIOpsLab tasks`;
  }, [matched?.route]);

  const reload = () => {
    setAuthError(null);
    setGeneration((n) => n + 1);
  };
  const forget = () => {
    forgetToken();
    reload();
  };

  let body;
  if (authError) body = html`<${TokenForm} error=${authError.error} refused=${authError.refused} onSaved=${reload} />`;
  else if (matched) body = html`<${matched.route.View} key=${`${generation}:${location.path}`} params=${matched.params} location=${location} />`;
  else if (!isRoot) body = html`<${ErrorNotice} error=${{ title: 'No such page', detail: `${location.path} is not a dashboard page; pick one above` }} />`;

  return html`
    <${NavBar} path=${location.path} hasToken=${Boolean(readToken())} onForget=${forget} />
    <${HealthBanner} />
    <main>${body}</main>`;
}
