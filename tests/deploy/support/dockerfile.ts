import fs from 'node:fs';

/** One instruction of a Dockerfile, continuation lines joined, comments dropped. */
export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

export interface Stage {
  name: string;
  base: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  path: string;
  text: string;
  /** ARGs declared before the first FROM (usable in FROM lines). */
  globalArgs: Record<string, string>;
  stages: Stage[];
}

export function parseDockerfile(path: string): Dockerfile {
  const text = fs.readFileSync(path, 'utf8');
  const instructions: Instruction[] = [];
  let buffer = '';
  let startLine = 0;
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    if (!buffer && (/^\s*#/.test(line) || !line.trim())) return;
    if (buffer && /^\s*#/.test(line)) return; // comment lines inside a continuation
    if (!buffer) startLine = index + 1;
    if (line.endsWith('\\')) {
      buffer += `${line.slice(0, -1)} `;
      return;
    }
    buffer += line;
    const match = /^\s*(\w+)\s*(.*)$/s.exec(buffer);
    if (match) instructions.push({ keyword: match[1].toUpperCase(), args: match[2].trim(), line: startLine });
    buffer = '';
  });

  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args);
      if (!m) throw new Error(`${path}:${instruction.line}: cannot parse FROM ${instruction.args}`);
      stages.push({ name: m[2] ?? String(stages.length), base: m[1], instructions: [] });
    } else if (stages.length === 0) {
      if (instruction.keyword !== 'ARG') throw new Error(`${path}:${instruction.line}: ${instruction.keyword} before FROM`);
      const [name, value = ''] = instruction.args.split('=');
      globalArgs[name] = value;
    } else {
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  return { path, text, globalArgs, stages };
}

/** `${NAME}` / `$NAME` with the ARG defaults in scope. */
export function expandArgs(value: string, args: Record<string, string>): string {
  return value.replace(/\$\{(\w+)(?::-([^}]*))?\}|\$(\w+)/g, (whole, braced, fallback, bare) => {
    const name = braced ?? bare;
    return args[name] ?? fallback ?? whole;
  });
}

export interface CopyInstruction {
  from: string | null;
  chown: string | null;
  sources: string[];
  destination: string;
  line: number;
}

/** COPY in shell form (`COPY [--from=x] [--chown=u] src... dest`) or JSON form. */
export function parseCopy(instruction: Instruction): CopyInstruction {
  let rest = instruction.args;
  const flags: Record<string, string> = {};
  for (;;) {
    const flag = /^--(\w+)=(\S+)\s+/.exec(rest);
    if (!flag) break;
    flags[flag[1]] = flag[2];
    rest = rest.slice(flag[0].length);
  }
  const parts: string[] = rest.startsWith('[') ? (JSON.parse(rest) as string[]) : rest.split(/\s+/);
  if (parts.length < 2) throw new Error(`line ${instruction.line}: COPY needs a source and a destination`);
  return { from: flags.from ?? null, chown: flags.chown ?? null, sources: parts.slice(0, -1), destination: parts[parts.length - 1], line: instruction.line };
}

/** The text between two marker comments, e.g. the shared build stage. */
export function section(text: string, startMarker: string, endMarker: string): string {
  const start = text.indexOf(startMarker);
  const end = text.indexOf(endMarker, start);
  if (start === -1 || end === -1) throw new Error(`markers ${startMarker} / ${endMarker} not found`);
  return text.slice(start, end + endMarker.length);
}

/** Exec-form instruction arguments (CMD/ENTRYPOINT/HEALTHCHECK CMD) as a list. */
export function execForm(args: string): string[] {
  const json = args.replace(/^CMD\s+/i, '');
  if (!json.startsWith('[')) throw new Error(`not in exec form: ${args}`);
  return JSON.parse(json) as string[];
}
