import express, { Router } from 'express';
import type { DashboardAssets } from '../dashboard/dashboard-assets';

/**
 * The dashboard: static files under /ui/, the browser builds of its dependencies under
 * /ui/vendor/, and index.html for every other /ui/ path so deep links (/ui/tasks/{id},
 * /ui/runs/{id}) open in the browser's router. `/` redirects here.
 */
export function dashboardRouter(assets: DashboardAssets): Router {
  const router = Router();
  router.get('/', (_req, res) => res.redirect(302, '/ui/'));
  // Express matches '/ui' for '/ui/' too (non-strict routing): redirect only the bare form.
  router.get('/ui', (req, res, next) => (req.originalUrl.split('?')[0] === '/ui' ? res.redirect(301, '/ui/') : next()));
  router.use('/ui', (_req, res, next) => {
    res.setHeader('Content-Security-Policy', assets.csp);
    next();
  });
  router.get('/ui/vendor/:file', (req, res, next) => {
    const file = assets.vendorFiles[req.params.file];
    if (!file) return next();
    res.sendFile(file, { maxAge: '1h' });
  });
  router.use('/ui', express.static(assets.uiDir, { index: false, redirect: false }));
  router.get(/^\/ui\/(?!.*\.[a-z0-9]+$).*/i, (_req, res) => {
    res.type('html').setHeader('Cache-Control', 'no-cache');
    res.send(assets.indexHtml);
  });
  return router;
}
