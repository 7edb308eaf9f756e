import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './support/compose';

/**
 * The documentation holds together: every relative Markdown link in the README, the docs/ pages
 * and the READMEs beside the code points at a file that exists, and every #anchor into a Markdown
 * file names one of its headings (GitHub's slug). The README stays a front door.
 */

const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.git', '__pycache__', '.venv']);

function markdownFiles(dir: string, only?: (name: string) => boolean): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : markdownFiles(full, only);
    return entry.name.endsWith('.md') && (!only || only(entry.name)) ? [full] : [];
  });
}

/** The text outside fenced code blocks, with inline code spans blanked (they hold examples). */
function proseLines(text: string): string[] {
  let fence: string | null = null;
  return text.split('\n').map((line) => {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker && (fence === null || marker.startsWith(fence))) {
      fence = fence === null ? marker : null;
      return '';
    }
    return fence === null ? line.replace(/(`+)[\s\S]*?\1/g, 'code') : '';
  });
}

/** GitHub's heading anchor: lower case, punctuation dropped, each space a hyphen. */
export function githubSlug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`/g, '')
    .replace(/\*+/g, '')
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
}

function anchorsOf(file: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  const text = fs.readFileSync(file, 'utf8');
  let fence: string | null = null;
  for (const line of text.split('\n')) {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker && (fence === null || marker.startsWith(fence))) fence = fence === null ? marker : null;
    const heading = fence === null ? /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line) : null;
    if (!heading) continue;
    const slug = githubSlug(heading[1]);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  for (const match of text.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) anchors.add(match[1]);
  return anchors;
}

/** Every relative link of one Markdown file that does not resolve, as "line N: target (why)". */
export function brokenLinks(file: string): string[] {
  const broken: string[] = [];
  proseLines(fs.readFileSync(file, 'utf8')).forEach((line, index) => {
    for (const match of line.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      const target = match[1];
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) continue;
      const [rawPath, anchor] = target.split('#', 2);
      const resolved = path.resolve(path.dirname(file), decodeURIComponent(rawPath));
      const where = `line ${index + 1}: ${target}`;
      if (!fs.existsSync(resolved)) broken.push(`${where} (no such file)`);
      else if (anchor && resolved.endsWith('.md') && !anchorsOf(resolved).has(anchor)) broken.push(`${where} (no heading with that anchor)`);
    }
  });
  return broken;
}

const README = path.join(ROOT, 'README.md');
const DOCS = path.join(ROOT, 'docs');
const files = [
  README,
  ...markdownFiles(DOCS),
  ...markdownFiles(path.join(ROOT, 'services'), (name) => name === 'README.md'),
  ...['clients/python/README.md'].map((file) => path.join(ROOT, file)).filter((file) => fs.existsSync(file)),
];

describe('documentation links', () => {
  test.each(files.map((file) => path.relative(ROOT, file)))('every relative link in %s resolves, anchors included', (file) => {
    expect(brokenLinks(path.join(ROOT, file))).toEqual([]);
  });

  test('docs/README.md lists every page of docs/', () => {
    const index = fs.readFileSync(path.join(DOCS, 'README.md'), 'utf8');
    const pages = markdownFiles(DOCS).map((file) => path.relative(DOCS, file)).filter((page) => page !== 'README.md');
    expect(pages.length).toBeGreaterThan(5);
    expect(pages.filter((page) => !index.includes(`](${page})`))).toEqual([]);
  });

  test('the README is a front door: at most 200 lines, the start and test commands near the top', () => {
    const text = fs.readFileSync(README, 'utf8');
    expect(text.replace(/\n$/, '').split('\n').length).toBeLessThanOrEqual(200);
    const top = text.split('\n').slice(0, 60).join('\n');
    for (const command of ['docker compose up --build', 'npm ci && npm start', 'npm ci && npm test']) expect(top).toContain(command);
  });
});

describe('the link checker itself', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doc-links-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('when a link names a missing file or heading, it is reported; good links, code and URLs are not', () => {
    fs.mkdirSync(path.join(dir, 'docs'));
    fs.writeFileSync(path.join(dir, 'docs', 'page.md'), '# Page\n\n## Runs (`bench-runs.js`, part of `npm run bench`)\n\n## Runs (`bench-runs.js`, part of `npm run bench`)\n');
    fs.writeFileSync(
      path.join(dir, 'README.md'),
      [
        '[ok](docs/page.md) [ok](docs/page.md#runs-bench-runsjs-part-of-npm-run-bench-1) ![img](docs/page.md) [web](https://example.com/x) [top](#nowhere)',
        'Shown as code: `[x](missing.md)`',
        '```md',
        '[x](also-missing.md)',
        '```',
        '[gone](docs/missing.md) [bad anchor](docs/page.md#no-such-heading)',
      ].join('\n'),
    );
    expect(brokenLinks(path.join(dir, 'README.md'))).toEqual([
      'line 6: docs/missing.md (no such file)',
      'line 6: docs/page.md#no-such-heading (no heading with that anchor)',
    ]);
  });

  test('slugs follow GitHub: punctuation dropped, spaces kept as hyphens', () => {
    expect(githubSlug('Lifeline (worker → runner, on stdin)')).toBe('lifeline-worker--runner-on-stdin');
    expect(githubSlug('5. Troubleshooting')).toBe('5-troubleshooting');
    expect(githubSlug("Where the agent's shell runs")).toBe('where-the-agents-shell-runs');
  });
});
