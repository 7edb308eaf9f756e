import fs from 'node:fs';
import path from 'node:path';
import { dashboardCsp } from './dashboard-page';

/** Where the dashboard's files are on disk: its own static files and the browser builds it imports. */
export interface DashboardAssets {
  /** services/api/ui: index.html, the stylesheet and the view modules. */
  uiDir: string;
  indexHtml: string;
  csp: string;
  /** URL file name under /ui/vendor/ → file in node_modules (the ES module builds only). */
  vendorFiles: Record<string, string>;
}

function packageFile(specifier: string, relativeToEntry: string): string {
  return path.join(path.dirname(require.resolve(specifier)), relativeToEntry);
}

/** Reads index.html once at start-up; a missing file is a broken install and stops the api. */
export function loadDashboardAssets(uiDir = path.resolve(__dirname, '../../../ui')): DashboardAssets {
  const indexHtml = fs.readFileSync(path.join(uiDir, 'index.html'), 'utf8');
  const vendorFiles: Record<string, string> = {
    'preact.mjs': require.resolve('preact'),
    'preact-hooks.mjs': require.resolve('preact/hooks'),
    'htm.mjs': packageFile('htm', 'htm.mjs'),
    'uplot.mjs': packageFile('uplot', 'uPlot.esm.js'),
    'uplot.css': packageFile('uplot', 'uPlot.min.css'),
  };
  for (const file of Object.values(vendorFiles)) {
    if (!fs.existsSync(file)) throw new Error(`dashboard dependency missing: ${file}; run npm ci`);
  }
  return { uiDir, indexHtml, csp: dashboardCsp(indexHtml), vendorFiles };
}
