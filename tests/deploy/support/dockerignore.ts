import fs from 'node:fs';
import path from 'node:path';

/**
 * .dockerignore as Docker reads it (moby/patternmatcher): patterns are rooted at the context,
 * `*` and `?` stay within one path segment, `**` spans any number of segments, a pattern that
 * matches a directory excludes everything below it, `!pattern` re-includes, the last match wins.
 */
export class DockerIgnore {
  private readonly rules: { negate: boolean; regex: RegExp; pattern: string }[];

  constructor(text: string) {
    this.rules = text
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => {
        const negate = line.startsWith('!');
        const pattern = path.posix.normalize((negate ? line.slice(1) : line).trim().replace(/^\/+/, ''));
        return { negate, pattern, regex: toRegex(pattern) };
      });
  }

  static load(contextDir: string): DockerIgnore {
    const file = path.join(contextDir, '.dockerignore');
    return new DockerIgnore(fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');
  }

  /** True when `relativePath` (posix, relative to the context) is left out of the context. */
  excludes(relativePath: string): boolean {
    const segments = relativePath.split('/');
    let excluded = false;
    for (const rule of this.rules) {
      // A rule matches the path itself or any directory above it.
      const matched = segments.some((_, i) => rule.regex.test(segments.slice(0, i + 1).join('/')));
      if (matched) excluded = !rule.negate;
    }
    return excluded;
  }

  patterns(): string[] {
    return this.rules.map((rule) => `${rule.negate ? '!' : ''}${rule.pattern}`);
  }
}

function toRegex(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') {
      // "**/" = zero or more whole segments; a trailing "**" = anything.
      if (pattern[i + 2] === '/') {
        out += '(?:.*/)?';
        i += 2;
      } else {
        out += '.*';
        i += 1;
      }
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

/** Every file of `dir` (relative posix paths) that the context would contain. */
export function contextFiles(contextDir: string, ignore: DockerIgnore, dir = ''): string[] {
  const files: string[] = [];
  for (const entry of fs.readdirSync(path.join(contextDir, dir), { withFileTypes: true })) {
    const relative = dir ? `${dir}/${entry.name}` : entry.name;
    if (ignore.excludes(relative)) continue;
    if (entry.isDirectory()) files.push(...contextFiles(contextDir, ignore, relative));
    else files.push(relative);
  }
  return files;
}
