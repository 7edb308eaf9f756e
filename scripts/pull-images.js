#!/usr/bin/env node
/**
 * Pulls into this host's Docker engine the images the worker preloads into its Kind clusters:
 * the shared components (Prometheus, OpenEBS, the wrk2 workload; Chaos Mesh with the apps whose
 * problems use it) and the chosen apps' images, from services/worker/kind/images-by-app.json.
 *
 *   npm run images:pull -- [--apps hotel_reservation,social_network | --apps all] [--dry-run]
 *
 * --apps defaults to KIND_PRELOAD_APPS, then all. --dry-run prints the list, one per line.
 * Pulls one at a time and goes on after a failure; exits 1 and lists the failures at the end.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const MANIFEST = path.resolve(__dirname, '../services/worker/kind/images-by-app.json');

function parseArgs(argv, env) {
  const options = { dryRun: false, apps: env.KIND_PRELOAD_APPS || 'all' };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--dry-run') options.dryRun = true;
    else if (arg === '--apps') options.apps = argv[++i] ?? '';
    else if (arg.startsWith('--apps=')) options.apps = arg.slice('--apps='.length);
    else throw new Error(`unknown argument ${arg}; usage: pull-images.js [--apps all|app,app] [--dry-run]`);
  }
  return options;
}

/** The same selection as imagesForApps in services/worker/src/clusters/image-manifest.ts. */
function imagesFor(manifest, appsSetting) {
  const names = appsSetting.split(',').map((n) => n.trim()).filter(Boolean);
  const chosen = names.length === 0 || names.includes('all') ? Object.keys(manifest.apps) : names;
  const unknown = chosen.filter((app) => !(app in manifest.apps));
  if (unknown.length > 0) throw new Error(`unknown app(s) ${unknown.join(', ')}; known apps: ${Object.keys(manifest.apps).join(', ')}`);
  const groups = [
    ...Object.values(manifest.components).filter((c) => !c.for_apps || c.for_apps.some((app) => chosen.includes(app))),
    ...chosen.map((app) => manifest.apps[app]),
  ];
  return [...new Set(groups.flatMap((group) => group.images))];
}

function main() {
  let images;
  let dryRun;
  try {
    const options = parseArgs(process.argv.slice(2), process.env);
    dryRun = options.dryRun;
    images = imagesFor(JSON.parse(fs.readFileSync(MANIFEST, 'utf8')), options.apps);
  } catch (error) {
    console.error(`pull-images: ${error.message}`);
    return 2;
  }
  if (dryRun) {
    for (const image of images) console.log(image);
    return 0;
  }
  const failed = [];
  for (const [index, image] of images.entries()) {
    console.log(`[${index + 1}/${images.length}] docker pull ${image}`);
    const pull = spawnSync('docker', ['pull', image], { stdio: 'inherit' });
    if (pull.error || pull.status !== 0) failed.push(`${image} (${pull.error ? pull.error.message : `exit ${pull.status}`})`);
  }
  if (failed.length === 0) {
    console.log(`pulled ${images.length} images`);
    return 0;
  }
  console.error(`pull-images: ${failed.length} of ${images.length} images failed; check the network and registry access, then run again (pulled images are skipped quickly):`);
  for (const line of failed) console.error(`  ${line}`);
  return 1;
}

process.exitCode = main();
