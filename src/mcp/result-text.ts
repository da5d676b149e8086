/**
 * MCP tool results as text the model can use. Chat-completions tool messages
 * are text only, so text blocks pass through, binary content (images, audio,
 * blobs) becomes a one-line stub instead of kilobytes of base64, embedded text
 * resources are inlined under their URI, resource links are listed, and
 * `structuredContent` is used only when the server sent no text (it usually
 * duplicates the text, and tokens are the scarce resource).
 */
import type { ToolCallResult } from './types.js';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Strings this long that look like base64 are replaced in structured output. */
const BASE64_MIN = 512;
const BASE64 = /^[A-Za-z0-9+/=\s]+$/;

export function resultToText(result: unknown): ToolCallResult {
  const body = isObject(result) ? result : {};
  const isError = body.isError === true;
  const content = Array.isArray(body.content) ? body.content : [];
  const parts = content.map(describeBlock).filter((part) => part !== '');
  const structured = body.structuredContent;
  const hasText = content.some((block) => isObject(block) && block.type === 'text' && typeof block.text === 'string' && block.text !== '');
  if (!hasText && structured !== undefined) parts.push(JSON.stringify(elideBinary(structured)));
  let text = parts.join('\n');
  if (text === '') text = isError ? 'The tool failed without a message.' : '(no output)';
  return { text, isError, ...(structured !== undefined ? { structured } : {}) };
}

function describeBlock(block: unknown): string {
  if (!isObject(block)) return '';
  switch (block.type) {
    case 'text':
      return typeof block.text === 'string' ? block.text : '';
    case 'image':
    case 'audio':
      return `[${block.type} ${String(block.mimeType ?? 'unknown type')}, ${size(block.data)}; not shown]`;
    case 'resource':
      return describeResource(block.resource);
    case 'resource_link': {
      const label = [block.name, block.title].find((value) => typeof value === 'string') as string | undefined;
      const mime = typeof block.mimeType === 'string' ? ` (${block.mimeType})` : '';
      const about = typeof block.description === 'string' ? `: ${block.description}` : '';
      return `[resource link${label ? ` ${label}` : ''} <${String(block.uri)}>${mime}${about}]`;
    }
    default:
      return `[${String(block.type)} content not shown]`;
  }
}

function describeResource(resource: unknown): string {
  if (!isObject(resource)) return '';
  const mime = typeof resource.mimeType === 'string' ? ` (${resource.mimeType})` : '';
  if (typeof resource.text === 'string') return `[resource <${String(resource.uri)}>${mime}]\n${resource.text}`;
  return `[resource <${String(resource.uri)}>${mime}, ${size(resource.blob)} binary; not shown]`;
}

function size(base64: unknown): string {
  if (typeof base64 !== 'string') return 'no data';
  const bytes = Math.floor((base64.replace(/=+$/, '').length * 3) / 4);
  return bytes >= 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${bytes} bytes`;
}

function elideBinary(value: unknown): unknown {
  if (typeof value === 'string') {
    return value.length >= BASE64_MIN && BASE64.test(value) ? `[${size(value)} of base64 data not shown]` : value;
  }
  if (Array.isArray(value)) return value.map(elideBinary);
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, elideBinary(item)]));
  return value;
}
