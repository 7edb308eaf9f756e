import dns from 'node:dns';
import { isIP } from 'node:net';
import { blockedAddressReason } from './address-policy';

/** The setting both the api (at submission) and the workers (at delivery) read. */
export const callbackEnvProperties = {
  CALLBACK_ALLOW_PRIVATE: { type: 'boolean', default: false, description: 'true allows callbacks to loopback, private and link-local addresses (api and workers)' },
} as const;

export const CALLBACK_POLICY =
  'callbacks go only to public addresses: loopback, private, link-local and other internal targets are refused, so a task cannot make the service call into its own network; ' +
  'use a publicly reachable URL, or set CALLBACK_ALLOW_PRIVATE=true on the api and the workers';

export type Lookup = (hostname: string) => Promise<string[]>;

const LOOKUP_TIMEOUT_MS = 1000;

/** Every address of a name (empty when it does not resolve within a second). */
export const systemLookup: Lookup = (hostname) =>
  Promise.race([
    dns.promises.lookup(hostname, { all: true, verbatim: true }).then((all) => all.map((a) => a.address), () => []),
    new Promise<string[]>((resolve) => setTimeout(() => resolve([]), LOOKUP_TIMEOUT_MS).unref()),
  ]);

/**
 * Why a callback_url would be refused at delivery, checked at submission: its host is an
 * internal address, or a name that resolves to one. A name that does not resolve now is let
 * through; the worker checks every address again when it connects.
 */
export async function callbackTargetRefusal(callbackUrl: string, lookup: Lookup = systemLookup): Promise<string | null> {
  let host: string;
  try {
    host = new URL(callbackUrl).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return null; // the schema has already refused what is not a URL
  }
  const name = host.toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return `${host} is a loopback name`;
  const addresses = isIP(host) ? [host] : await lookup(host);
  for (const address of addresses) {
    const reason = blockedAddressReason(address);
    if (reason) return address === host ? `${host} is a ${reason} address` : `${host} resolves to ${address}, a ${reason} address`;
  }
  return null;
}
