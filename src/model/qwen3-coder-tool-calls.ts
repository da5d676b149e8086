/**
 * Qwen3-Coder / Qwen3.5 / Qwen3.6 XML tool calls, when the server left them in the
 * text: `<function=NAME><parameter=P>value</parameter></function>`. Values are
 * typed by the tool's JSON schema with the rules of vLLM's qwen3coder parser, so a
 * call parses the same here as it would on a server that parsed it.
 */
import { jsonrepair } from 'jsonrepair';
import type { ToolSpec } from './types.js';

export interface XmlFunctionCall {
  name: string;
  args: Record<string, unknown>;
}

const FUNCTION_OPEN = /<function(?:=([^>\n]*)|\s+name\s*=\s*"([^"]*)")\s*>/g;
const PARAMETER_OPEN = /<parameter(?:=([^>\n]*)|\s+name\s*=\s*"([^"]*)")\s*>/g;
const VALUE_END = /<\/parameter>|<parameter[=\s]|<\/function>/;

function schemaType(schema: unknown): string | undefined {
  if (typeof schema !== 'object' || schema === null) return undefined;
  const record = schema as Record<string, unknown>;
  const type = record['type'];
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) return type.find((t): t is string => typeof t === 'string' && t !== 'null');
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = record[key];
    if (Array.isArray(options)) {
      for (const option of options) {
        const inner = schemaType(option);
        if (inner && inner !== 'null') return inner;
      }
    }
  }
  if (Array.isArray(record['enum'])) return 'enum';
  return undefined;
}

function parseStructured(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    try {
      return JSON.parse(jsonrepair(value));
    } catch {
      return value;
    }
  }
}

/** Convert one parameter value following vLLM's qwen3coder rules. */
export function typeParameterValue(value: string, type: string | undefined): unknown {
  if (type === undefined) return value;
  if (value.toLowerCase() === 'null') return null;
  const t = type.toLowerCase();
  if (['string', 'str', 'text', 'varchar', 'char', 'enum'].includes(t)) return value;
  if (/^(int|uint|long|short|unsigned)/.test(t)) {
    return /^\s*[-+]?\d+\s*$/.test(value) ? Number.parseInt(value, 10) : value;
  }
  if (/^(num|float)/.test(t)) {
    const number = Number(value);
    return value.trim() !== '' && Number.isFinite(number) ? number : value;
  }
  if (['boolean', 'bool', 'binary'].includes(t)) return value.trim().toLowerCase() === 'true';
  if (/^(object|array|dict|list)/.test(t)) return parseStructured(value);
  if (t === 'null') return null;
  return value;
}

function stripOneNewline(value: string): string {
  let start = 0;
  let end = value.length;
  if (value.startsWith('\r\n')) start = 2;
  else if (value.startsWith('\n')) start = 1;
  if (value.endsWith('\r\n') && end - 2 >= start) end -= 2;
  else if (value.endsWith('\n') && end - 1 >= start) end -= 1;
  return value.slice(start, end);
}

function parameterTypes(tools: readonly ToolSpec[], name: string): Record<string, unknown> {
  const tool = tools.find((candidate) => candidate.function.name === name);
  const properties = tool?.function.parameters['properties'];
  return typeof properties === 'object' && properties !== null ? (properties as Record<string, unknown>) : {};
}

function parseParameters(body: string, properties: Record<string, unknown>): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  const opens = [...body.matchAll(PARAMETER_OPEN)];
  for (const open of opens) {
    const name = (open[1] ?? open[2] ?? '').trim();
    const start = open.index + open[0].length;
    const rest = body.slice(start);
    const end = rest.search(VALUE_END);
    const raw = stripOneNewline(end === -1 ? rest : rest.slice(0, end));
    args[name] = typeParameterValue(raw, schemaType(properties[name]));
  }
  return args;
}

/** Every `<function=...>` block in `markup`; a missing `</function>` ends at the next block or the end. */
export function parseXmlFunctionCalls(markup: string, tools: readonly ToolSpec[]): XmlFunctionCall[] {
  const opens = [...markup.matchAll(FUNCTION_OPEN)];
  return opens.map((open, i) => {
    const name = (open[1] ?? open[2] ?? '').trim();
    const start = open.index + open[0].length;
    const limit = i + 1 < opens.length ? opens[i + 1]!.index : markup.length;
    let body = markup.slice(start, limit);
    const close = body.indexOf('</function>');
    if (close !== -1) body = body.slice(0, close);
    return { name, args: parseParameters(body, parameterTypes(tools, name)) };
  });
}
