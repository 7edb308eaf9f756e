/**
 * AMQP_URL holds one broker URL, or the URLs of a cluster's nodes separated by commas
 * ("amqp://u:p@rabbit-0:5672,amqp://u:p@rabbit-1:5672"). Pure: parsing and validation only.
 */

/** The entries of an AMQP_URL value, trimmed, in order. */
export function parseAmqpUrls(value: string): string[] {
  return value.split(',').map((entry) => entry.trim());
}

/**
 * What is wrong with an AMQP_URL value, one message per bad entry, each naming the entry by its
 * position and its text (password hidden). Empty when the list is usable.
 */
export function amqpUrlListProblems(value: string): string[] {
  const entries = parseAmqpUrls(value);
  const problems: string[] = [];
  const seen = new Set<string>();
  entries.forEach((entry, i) => {
    const where = entries.length > 1 ? `entry ${i + 1} of ${entries.length} ` : '';
    const problem = entryProblem(entry);
    if (problem) problems.push(`${where}"${redactUrl(entry)}" ${problem}`);
    else if (seen.has(entry)) problems.push(`${where}"${redactUrl(entry)}" is listed twice`);
    seen.add(entry);
  });
  return problems;
}

function entryProblem(entry: string): string | null {
  if (entry === '') return 'is empty (two commas in a row, or a comma at an end)';
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    return 'is not a URL (expected amqp://user:pass@host:5672[/vhost])';
  }
  if (url.protocol !== 'amqp:' && url.protocol !== 'amqps:') return `has scheme ${url.protocol.replace(/:$/, '')}; expected amqp or amqps`;
  if (!url.hostname) return 'names no host';
  return null;
}

/** A URL (or a comma-separated list) with every password replaced by ***. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/,]+):([^@/,]+)@/g, '//$1:***@');
}
