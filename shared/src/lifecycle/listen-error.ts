/**
 * A server that cannot bind its address. Services exit non-zero with this message instead of
 * running without the port they were told to serve (Express 5's app.listen passes the bind
 * error to its callback rather than throwing it, which made a taken port go unnoticed).
 */
export class ListenError extends Error {
  constructor(
    readonly what: string,
    readonly variable: string,
    readonly host: string,
    readonly port: number,
    cause: unknown,
  ) {
    super(listenErrorMessage(what, variable, host, port, cause), { cause });
    this.name = 'ListenError';
  }
}

export function listenErrorMessage(what: string, variable: string, host: string, port: number, cause: unknown): string {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  const address = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (code === 'EADDRINUSE') {
    return `${what} cannot listen on ${address}: the address is already in use by another process; stop that process or set ${variable} to a free port`;
  }
  if (code === 'EACCES') return `${what} cannot listen on ${address}: permission denied (ports below 1024 need privileges); set ${variable} to a port above 1023`;
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return `${what} cannot listen on ${address}: no such local address; check the host setting (HOST / HEALTH_HOST)`;
  return `${what} cannot listen on ${address}: ${(cause as Error)?.message ?? String(cause)}; check ${variable} and the host setting`;
}
