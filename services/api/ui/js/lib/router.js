import { useEffect, useState } from 'preact/hooks';

/**
 * A history-API router: views are picked by path pattern ('/ui/tasks/:id'), links are plain
 * <a href="/ui/..."> (clicks are intercepted, so deep links and new tabs work as usual), and
 * the query string holds view state worth sharing, such as filters.
 */
const subscribers = new Set();

function currentLocation() {
  return { path: window.location.pathname, search: window.location.search, params: new URLSearchParams(window.location.search) };
}

export function navigate(url, { replace = false } = {}) {
  if (replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  subscribers.forEach((notify) => notify());
}

window.addEventListener('popstate', () => subscribers.forEach((notify) => notify()));

export function useLocation() {
  const [location, setLocation] = useState(currentLocation);
  useEffect(() => {
    const notify = () => setLocation(currentLocation());
    subscribers.add(notify);
    return () => subscribers.delete(notify);
  }, []);
  return location;
}

function compile(pattern) {
  const names = [];
  const source = pattern.replace(/\/:([a-z_]+)/gi, (_, name) => {
    names.push(name);
    return '/([^/]+)';
  });
  return { regex: new RegExp(`^${source}/?$`), names };
}

/** The first route whose pattern matches `path`, with its decoded parameters. */
export function matchRoute(routes, path) {
  for (const route of routes) {
    route.compiled ??= compile(route.path);
    const match = route.compiled.regex.exec(path);
    if (match) return { route, params: Object.fromEntries(route.compiled.names.map((name, i) => [name, decodeURIComponent(match[i + 1])])) };
  }
  return null;
}

/** Same-origin /ui/ links navigate in place; modified clicks (new tab, download) are left alone. */
export function interceptLinks(root) {
  root.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const anchor = event.target.closest('a[href]');
    if (!anchor || anchor.target || anchor.hasAttribute('download')) return;
    const url = new URL(anchor.href);
    if (url.origin !== window.location.origin || !url.pathname.startsWith('/ui/')) return;
    event.preventDefault();
    navigate(url.pathname + url.search);
  });
}
