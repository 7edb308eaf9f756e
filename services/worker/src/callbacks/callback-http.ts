import dns, { LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { blockedAddressReason } from '@aiopslab/shared/callbacks/address-policy';

export interface CallbackRequest {
  url: string;
  body: unknown;
  headers: Record<string, string>;
  timeoutMs: number;
  /** CALLBACK_ALLOW_PRIVATE: allow loopback, private and link-local targets. */
  allowPrivate: boolean;
  signal?: AbortSignal;
}

export type CallbackResponse = { kind: 'response'; status: number } | { kind: 'blocked'; reason: string } | { kind: 'network'; message: string };

const BLOCKED = 'ECALLBACKBLOCKED';

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * The connection's own DNS lookup: resolves the name, refuses it when any address is not
 * public, and hands exactly the checked addresses to the socket, so a second resolution
 * (DNS rebinding) cannot sneak a private address in between check and connect.
 */
function checkedLookup(allowPrivate: boolean) {
  return (hostname: string, options: { all?: boolean }, callback: LookupCallback) => {
    dns.lookup(hostname, { all: true, verbatim: true }, (error, addresses) => {
      if (error) return callback(error, []);
      if (addresses.length === 0) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
      if (!allowPrivate) {
        for (const { address } of addresses) {
          const reason = blockedAddressReason(address);
          if (reason) return callback(Object.assign(new Error(`${hostname} resolves to ${address} (${reason})`), { code: BLOCKED }), []);
        }
      }
      if (options.all) callback(null, addresses);
      else callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

/**
 * POSTs JSON to a callback URL: one request, no redirects (a 3xx is just a status), a timeout,
 * and no loopback/private/link-local target unless allowed. node:http is used rather than
 * fetch because fetch cannot pin the connection to the addresses that were checked.
 */
export function postCallback(request: CallbackRequest): Promise<CallbackResponse> {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return Promise.resolve({ kind: 'blocked', reason: 'not a valid URL' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return Promise.resolve({ kind: 'blocked', reason: `scheme ${url.protocol} is not allowed` });
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) && !request.allowPrivate) {
    const reason = blockedAddressReason(host);
    if (reason) return Promise.resolve({ kind: 'blocked', reason: `${host} is ${reason}` });
  }
  const body = JSON.stringify(request.body);
  const signals = [AbortSignal.timeout(request.timeoutMs), ...(request.signal ? [request.signal] : [])];
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const req = client.request(
      url,
      {
        method: 'POST',
        agent: false,
        lookup: checkedLookup(request.allowPrivate) as never,
        signal: AbortSignal.any(signals),
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'aiopslab-worker', ...request.headers },
      },
      (response) => {
        response.resume();
        response.on('error', () => undefined);
        resolve({ kind: 'response', status: response.statusCode ?? 0 });
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === BLOCKED) resolve({ kind: 'blocked', reason: error.message });
      else if (error.name === 'AbortError') resolve({ kind: 'network', message: request.signal?.aborted ? 'aborted' : `no answer within ${request.timeoutMs} ms` });
      else resolve({ kind: 'network', message: error.message });
    });
    req.end(body);
  });
}
