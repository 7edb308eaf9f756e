import type { OutputStream, RunOutput } from './executor';

export const REDACTED = '[REDACTED]';
/** Names of variables whose values are credentials (LLM keys, tokens, passwords). */
const SECRET_NAME = /KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL/i;

/** A variable that holds a credential by its name's last word (OPENAI_API_KEY, HF_TOKEN); TIKTOKEN_CACHE_DIR is not one. */
const CREDENTIAL_VARIABLE = /(^|_)(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?)$/i;

export function credentialName(name: string): boolean {
  return CREDENTIAL_VARIABLE.test(name);
}
/** Shorter values (flags, "1", "true") would redact ordinary words. */
const MIN_SECRET_LENGTH = 8;

/**
 * The credential values the worker hands its runners, found by variable name. Their values must
 * never reach stored logs, steps or results, even when an agent prints its environment: the
 * agent shell keeps credentials out of reach, this is the second line of defense.
 */
export function secretValues(env: Readonly<Record<string, string>>): string[] {
  const values = Object.entries(env)
    .filter(([name, value]) => SECRET_NAME.test(name) && value.length >= MIN_SECRET_LENGTH)
    .map(([, value]) => value);
  // A JSON protocol line carries a value escaped; redact that spelling too. Longest first, so a
  // secret that contains another is replaced whole.
  const spellings = values.flatMap((value) => [value, JSON.stringify(value).slice(1, -1)]);
  return [...new Set(spellings)].sort((a, b) => b.length - a.length);
}

export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out;
}

/** The same output, with every line's secrets replaced before anyone stores or parses it. */
export function redactingOutput(output: RunOutput, secrets: readonly string[]): RunOutput {
  if (secrets.length === 0) return output;
  return {
    line: (stream: OutputStream, text: string, cutBytes: number) => output.line(stream, redact(text, secrets), cutBytes),
    writable: () => output.writable(),
  };
}
