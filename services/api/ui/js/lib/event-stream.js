import { authHeaders, toApiError } from './api.js';

/**
 * Server-sent events read with fetch(), because EventSource cannot send the Authorization
 * header the api asks for when API_TOKEN is set. Parses `text/event-stream` (event, data, id;
 * comments ignored) and reconnects with Last-Event-ID after a dropped connection.
 */
export function parseEvents(text) {
  const events = [];
  const blocks = text.replace(/\r\n?/g, '\n').split('\n\n');
  const rest = blocks.pop();
  for (const block of blocks) {
    const event = { event: 'message', data: [], id: null };
    for (const line of block.split('\n')) {
      if (!line || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event.event = value;
      else if (field === 'data') event.data.push(value);
      else if (field === 'id') event.id = value;
    }
    if (event.data.length > 0) events.push({ ...event, data: event.data.join('\n') });
  }
  return { events, rest };
}

/** Follows `url` until an `end` event, a 4xx answer, or `signal` aborts. */
export async function followEvents(url, { onEvent, onError, onConnected, signal }) {
  let lastEventId = null;
  let failures = 0;
  while (!signal.aborted) {
    try {
      const response = await fetch(url, { signal, headers: { accept: 'text/event-stream', ...authHeaders(), ...(lastEventId ? { 'last-event-id': lastEventId } : {}) } });
      if (!response.ok) {
        const error = await toApiError(response);
        onError(error);
        if (response.status < 500) return;
      } else {
        failures = 0;
        onConnected?.();
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          const parsed = parseEvents(buffer + value);
          buffer = parsed.rest;
          for (const event of parsed.events) {
            if (event.id) lastEventId = event.id;
            onEvent(event);
            if (event.event === 'end') return;
          }
        }
      }
    } catch (error) {
      if (signal.aborted) return;
      onError(error);
    }
    failures += 1;
    await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 500 * 2 ** failures)));
  }
}
