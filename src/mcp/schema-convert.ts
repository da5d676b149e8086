/**
 * Tool input schemas as MCP servers emit them (draft-07 from zod, 2020-12 from
 * others, `$ref`s, type arrays, tuples) turned into the plain subset that Qwen
 * servers' tool parsers and grammar builders accept (llama-server, vLLM,
 * SGLang, Ollama): local `$ref`s inlined (recursion cut after one level),
 * `type` arrays and `oneOf` turned into `anyOf`, `allOf` merged, tuples into
 * `prefixItems`, and everything else dropped. A network `$ref` is never
 * fetched: it becomes an open schema. The output is a pure function of the
 * input, key order included, so the prompt prefix stays stable.
 */

type Json = Record<string, unknown>;

/** Limits on what a single schema may cost in the prompt. */
export interface SchemaLimits {
  /** Enums longer than this are dropped and summarised in the description. @default 64 */
  maxEnumValues?: number;
  /** Enums whose JSON exceeds this many characters are summarised too. @default 2048 */
  maxEnumChars?: number;
  /** Longer `pattern`s are dropped, as is any pattern beside a `format` (zod's generated email/datetime regexes). @default 256 */
  maxPatternChars?: number;
}

const SCALAR_KEYS = new Set([
  'type', 'description', 'enum', 'const', 'default', 'format',
  'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf',
  'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems', 'uniqueItems',
  'minProperties', 'maxProperties', 'required',
]);
const SHARED_KEYS = new Set(['description', 'default', 'enum', 'const', 'title']);
const KEYS_FOR_TYPE: Record<string, Set<string>> = {
  string: new Set(['minLength', 'maxLength', 'pattern', 'format']),
  number: new Set(['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf']),
  integer: new Set(['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf']),
  array: new Set(['items', 'prefixItems', 'minItems', 'maxItems', 'uniqueItems']),
  object: new Set(['properties', 'required', 'additionalProperties', 'minProperties', 'maxProperties']),
};

const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

export function convertInputSchema(schema: unknown, limits: SchemaLimits = {}): Json {
  const root = isObject(schema) ? schema : {};
  const converter = new Converter(root, {
    maxEnumValues: limits.maxEnumValues ?? 64,
    maxEnumChars: limits.maxEnumChars ?? 2048,
    maxPatternChars: limits.maxPatternChars ?? 256,
  });
  const out = converter.convert(root, []);
  const result: Json = { type: 'object', ...out };
  result.type = 'object';
  if (!isObject(result.properties)) result.properties = {};
  delete result.anyOf;
  return result;
}

class Converter {
  constructor(
    private readonly root: Json,
    private readonly limits: Required<SchemaLimits>,
  ) {}

  convert(node: unknown, refs: readonly string[]): Json {
    if (!isObject(node)) return {};
    let current = node;
    if (typeof current.$ref === 'string') {
      const ref = current.$ref;
      if (refs.includes(ref)) return withDescription({}, current.description, 'recursive: same shape as the enclosing value');
      const { $ref: _ref, ...siblings } = current;
      const target = this.resolve(ref);
      return this.convert({ ...target, ...siblings }, [...refs, ref]);
    }
    if (Array.isArray(current.allOf)) current = this.mergeAllOf(current, refs);
    const out: Json = {};
    for (const [key, value] of Object.entries(current)) {
      switch (key) {
        case 'properties':
          if (isObject(value)) {
            out.properties = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, this.convert(sub, refs)]));
          }
          break;
        case 'items':
          if (Array.isArray(value)) {
            out.prefixItems = value.map((sub) => this.convert(sub, refs));
          } else if (isObject(value)) out.items = this.convert(value, refs);
          break;
        case 'prefixItems':
          if (Array.isArray(value)) out.prefixItems = value.map((sub) => this.convert(sub, refs));
          break;
        case 'additionalProperties':
          if (typeof value === 'boolean') out.additionalProperties = value;
          else if (isObject(value)) out.additionalProperties = this.convert(value, refs);
          break;
        case 'anyOf':
        case 'oneOf':
          if (Array.isArray(value) && out.anyOf === undefined) out.anyOf = value.map((sub) => this.convert(sub, refs));
          break;
        case 'title':
          if ('const' in current) out.title = value;
          break;
        case 'enum':
          if (Array.isArray(value)) this.putEnum(out, value, current);
          break;
        case 'pattern':
          if (typeof value === 'string' && value.length <= this.limits.maxPatternChars && current.format === undefined) out.pattern = value;
          break;
        case 'required':
          if (Array.isArray(value)) out.required = value.filter((item) => typeof item === 'string');
          break;
        default:
          if (SCALAR_KEYS.has(key)) out[key] = value;
      }
    }
    return Array.isArray(out.type) ? splitTypeArray(out) : out;
  }

  private resolve(ref: string): Json {
    if (!ref.startsWith('#')) return {};
    let target: unknown = this.root;
    for (const raw of ref.slice(1).split('/').filter((part) => part !== '')) {
      const part = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
      target = isObject(target) || Array.isArray(target) ? (target as Record<string, unknown>)[part] : undefined;
    }
    return isObject(target) ? target : {};
  }

  private mergeAllOf(node: Json, refs: readonly string[]): Json {
    const { allOf, ...rest } = node;
    const merged: Json = { ...rest };
    for (const part of allOf as unknown[]) {
      const sub = this.convert(part, refs);
      for (const [key, value] of Object.entries(sub)) {
        if (key === 'properties' && isObject(value)) merged.properties = { ...(isObject(merged.properties) ? merged.properties : {}), ...value };
        else if (key === 'required' && Array.isArray(value)) {
          merged.required = [...new Set([...(Array.isArray(merged.required) ? merged.required : []), ...value])];
        } else if (!(key in merged)) merged[key] = value;
      }
    }
    return merged;
  }

  private putEnum(out: Json, values: unknown[], node: Json): void {
    const json = JSON.stringify(values);
    if (values.length <= this.limits.maxEnumValues && json.length <= this.limits.maxEnumChars) {
      out.enum = values;
      return;
    }
    const sample = values.slice(0, 5).map((value) => JSON.stringify(value)).join(', ');
    const summary = `One of ${values.length} allowed values, e.g. ${sample}.`;
    out.description = typeof node.description === 'string' ? `${node.description} ${summary}` : summary;
  }
}

function withDescription(out: Json, description: unknown, note: string): Json {
  out.description = typeof description === 'string' ? `${description} (${note})` : note;
  return out;
}

function splitTypeArray(node: Json): Json {
  const types = (node.type as unknown[]).filter((type): type is string => typeof type === 'string');
  const { type: _type, ...rest } = node;
  if (types.length === 0) return rest;
  if (types.length === 1) return { type: types[0], ...rest };
  if (rest.anyOf !== undefined) return rest;
  const shared: Json = {};
  for (const [key, value] of Object.entries(rest)) if (SHARED_KEYS.has(key)) shared[key] = value;
  const branches = types.map((type) => {
    const branch: Json = { type };
    const allowed = KEYS_FOR_TYPE[type];
    if (allowed) for (const [key, value] of Object.entries(rest)) if (allowed.has(key)) branch[key] = value;
    return branch;
  });
  return { anyOf: branches, ...shared };
}
