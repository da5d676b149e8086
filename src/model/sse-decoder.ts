/**
 * Server-sent events, decoded in one tight loop. The SDK's own stream iterator
 * stacks several async generators per chunk and costs several times more than the
 * rest of the client together, so the client takes the raw response from the SDK
 * (`asResponse()`) and splits events here: `data:` lines joined per event,
 * comment lines (`: OPENROUTER PROCESSING`) and other fields skipped.
 */

export interface SseEvent {
  /** The `event:` field, or undefined. */
  event: string | undefined;
  data: string;
}

export class SseDecoder {
  private buffer = '';
  private carriageReturns = false;

  /** Feed decoded text; returns the events completed by it. */
  push(text: string): SseEvent[] {
    this.buffer += text;
    if (!this.carriageReturns && text.includes('\r')) this.carriageReturns = true;
    const events: SseEvent[] = [];
    let start = 0;
    for (;;) {
      const end = this.findEventEnd(start);
      if (end === undefined) break;
      const event = parseEvent(this.buffer.slice(start, end.index));
      if (event) events.push(event);
      start = end.index + end.length;
    }
    if (start > 0) this.buffer = this.buffer.slice(start);
    return events;
  }

  /** The last event when the stream ended without a blank line after it. */
  end(): SseEvent[] {
    const rest = this.buffer;
    this.buffer = '';
    const event = rest.trim() === '' ? undefined : parseEvent(rest);
    return event ? [event] : [];
  }

  private findEventEnd(from: number): { index: number; length: number } | undefined {
    const lf = this.buffer.indexOf('\n\n', from);
    if (!this.carriageReturns) return lf === -1 ? undefined : { index: lf, length: 2 };
    const crlf = this.buffer.indexOf('\r\n\r\n', from);
    if (crlf !== -1 && (lf === -1 || crlf < lf)) return { index: crlf, length: 4 };
    if (lf !== -1) return { index: lf, length: 2 };
    const cr = this.buffer.indexOf('\r\r', from);
    return cr === -1 ? undefined : { index: cr, length: 2 };
  }
}

function parseEvent(block: string): SseEvent | undefined {
  if (block.startsWith('data: ') && block.indexOf('\n') === -1 && block.indexOf('\r') === -1) {
    return { event: undefined, data: block.slice(6) };
  }
  let data: string | undefined;
  let event: string | undefined;
  for (const rawLine of block.split(/\r\n|\r|\n/)) {
    if (rawLine === '' || rawLine.startsWith(':')) continue;
    const colon = rawLine.indexOf(':');
    const field = colon === -1 ? rawLine : rawLine.slice(0, colon);
    let value = colon === -1 ? '' : rawLine.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data = data === undefined ? value : `${data}\n${value}`;
    else if (field === 'event') event = value;
  }
  return data === undefined ? undefined : { event, data };
}
