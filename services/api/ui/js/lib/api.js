import { readToken } from './token.js';

/** An API error as a person reads it: the problem's title and detail, and each bad field. */
export class ApiError extends Error {
  constructor({ status, title, detail, code, fields = [], requestId = null }) {
    super(detail ? `${title}: ${detail}` : title);
    this.name = 'ApiError';
    Object.assign(this, { status, title, detail, code, fields, requestId });
  }
}

const listeners = new Set();
/** Called with every 401, so the shell can ask for the token. */
export function onUnauthorized(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function authHeaders() {
  const token = readToken();
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** RFC 9457 problem+json (or anything else a proxy sent) → ApiError. */
export async function toApiError(response) {
  const type = response.headers.get('content-type') ?? '';
  let body = null;
  if (type.includes('json')) body = await response.json().catch(() => null);
  if (body && typeof body === 'object') {
    return new ApiError({
      status: response.status,
      title: body.title ?? `HTTP ${response.status}`,
      detail: body.detail ?? null,
      code: body.code ?? null,
      fields: Array.isArray(body.errors) ? body.errors : [],
      requestId: body.request_id ?? null,
    });
  }
  const text = (await response.text().catch(() => '')).trim().slice(0, 200);
  return new ApiError({ status: response.status, title: `HTTP ${response.status} ${response.statusText}`.trim(), detail: text || null });
}

/** fetch() against this api with the token, JSON in and out; throws ApiError on any non-2xx. */
export async function api(path, { method = 'GET', body, signal } = {}) {
  let response;
  try {
    response = await fetch(path, {
      method,
      signal,
      headers: { accept: 'application/json', ...authHeaders(), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError({ status: 0, title: 'The api did not answer', detail: 'check that it is running and reachable from this browser' });
  }
  if (!response.ok) {
    const error = await toApiError(response);
    if (response.status === 401) listeners.forEach((listener) => listener(error));
    throw error;
  }
  return response.status === 204 ? null : response.json();
}

/** A query string from an object, leaving out empty values. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}
