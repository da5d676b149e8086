import { createServer } from 'node:http';
import { McpServer } from '@modelcontextprotocol/server';
import { describe, expect } from 'vitest';
import { z } from 'zod';
import { convertInputSchema } from '../../src/mcp/schema-convert.js';
import { test } from './support.js';

const kinds = new Set(['type', 'properties', 'required', 'items', 'prefixItems', 'anyOf', 'enum', 'const', 'description',
  'default', 'format', 'minimum', 'maximum', 'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems',
  'additionalProperties', 'exclusiveMinimum', 'exclusiveMaximum', 'title', 'uniqueItems', 'multipleOf']);

/** Every key anywhere in the schema is one the converter promises to emit. */
function keysOf(schema: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(schema)) schema.forEach((item) => keysOf(item, into));
  else if (schema && typeof schema === 'object') {
    for (const [key, value] of Object.entries(schema)) {
      into.add(key);
      if (key === 'properties') Object.values(value as object).forEach((item) => keysOf(item, into));
      else keysOf(value, into);
    }
  }
  return into;
}

function zodServer() {
  const server = new McpServer({ name: 'zod-cases', version: '1.0.0' });
  const ok = async () => ({ content: [{ type: 'text' as const, text: 'ok' }] });
  type Node = { name: string; children: Node[] };
  const node: z.ZodType<Node> = z.object({ name: z.string(), get children() { return z.array(node); } });
  server.registerTool('hard', {
    description: 'zod hard cases',
    inputSchema: z.object({
      nullable: z.string().nullable(),
      union: z.union([z.string(), z.number()]),
      kind: z.discriminatedUnion('kind', [z.object({ kind: z.literal('a'), a: z.string() }), z.object({ kind: z.literal('b'), b: z.number() })]),
      record: z.record(z.string(), z.string()),
      anything: z.any(),
      tuple: z.tuple([z.string(), z.number()]),
      tree: node,
      big: z.enum(Array.from({ length: 300 }, (_, i) => `value_${i}`) as [string, ...string[]]),
      email: z.email(),
      count: z.number().int().min(1).max(10).default(3),
      optional: z.string().optional(),
    }),
  }, ok);
  return server;
}

describe('schema conversion', () => {
  test('zod-generated hard cases from a real SDK server come out in the plain subset', async ({ makeHost }) => {
    const host = await makeHost({
      builtins: [{ name: 'zod', create: async () => zodServer(), command: () => ({ command: 'unused', args: [] }) }],
    });
    const [tool] = host.tools();
    expect(tool?.name).toBe('hard');
    const schema = tool!.inputSchema as { type: string; properties: Record<string, Record<string, unknown>>; required: string[] };
    expect(schema.type).toBe('object');
    expect(schema).not.toHaveProperty('$schema');
    for (const key of keysOf(schema)) expect(kinds.has(key) || key in schema.properties || key === 'a' || key === 'b' || key === 'kind' || key === 'name' || key === 'children').toBe(true);
    const p = schema.properties;
    expect(p.nullable).toEqual({ anyOf: [{ type: 'string' }, { type: 'null' }] });
    expect(p.union!.anyOf ?? p.union!.type).toBeTruthy();
    expect(JSON.stringify(p.union)).not.toContain('"type":[');
    expect(p.kind!.anyOf).toHaveLength(2);
    expect(p.kind).not.toHaveProperty('oneOf');
    expect(p.record).toEqual({ type: 'object', additionalProperties: { type: 'string' } });
    expect(p.anything).toEqual({});
    expect(p.tuple!.prefixItems).toEqual([{ type: 'string' }, { type: 'number' }]);
    expect(JSON.stringify(p.tree)).not.toContain('$ref');
    const children = (p.tree!.properties as Record<string, { items?: Record<string, unknown> }>).children!;
    expect(children.items!.description).toContain('recursive');
    expect(p.big).not.toHaveProperty('enum');
    expect(p.big!.description).toContain('One of 300 allowed values');
    expect(p.email).toMatchObject({ type: 'string', format: 'email' });
    expect(p.email).not.toHaveProperty('pattern');
    expect(p.count).toMatchObject({ type: 'integer', minimum: 1, maximum: 10, default: 3 });
    expect(schema.required).not.toContain('optional');
    expect(JSON.stringify(schema)).not.toContain('definitions');
    expect(await host.call('hard', {})).toMatchObject({ isError: true });
  });

  test('2020-12 $defs, allOf and recursion through #', () => {
    const schema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      $defs: { point: { type: 'object', properties: { x: { type: 'number' } }, required: ['x'] } },
      properties: {
        at: { $ref: '#/$defs/point', description: 'where' },
        both: { allOf: [{ type: 'object', properties: { a: { type: 'string' } }, required: ['a'] }, { properties: { b: { type: 'string' } }, required: ['b'] }] },
        self: { $ref: '#' },
        choice: { oneOf: [{ const: 'x', title: 'Ex' }, { const: 'y', title: 'Why' }] },
        odd: { type: 'string', if: { minLength: 1 }, then: { pattern: 'a' }, not: { const: 'b' }, patternProperties: {}, examples: ['q'] },
      },
    };
    const out = convertInputSchema(schema) as { properties: Record<string, Record<string, unknown>> };
    expect(out).not.toHaveProperty('$defs');
    expect(out.properties.at).toEqual({ type: 'object', properties: { x: { type: 'number' } }, required: ['x'], description: 'where' });
    expect(out.properties.both).toEqual({ type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } }, required: ['a', 'b'] });
    expect(out.properties.self!.type).toBe('object');
    expect(JSON.stringify(out.properties.self)).not.toContain('$ref');
    expect(out.properties.choice).toEqual({ anyOf: [{ const: 'x', title: 'Ex' }, { const: 'y', title: 'Why' }] });
    expect(out.properties.odd).toEqual({ type: 'string' });
    expect(JSON.stringify(convertInputSchema(schema))).toBe(JSON.stringify(out));
  });

  test('a network $ref is never fetched and becomes an open schema', async () => {
    let requests = 0;
    const server = createServer((_req, res) => {
      requests += 1;
      res.end('{"type":"string"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const out = convertInputSchema({ type: 'object', properties: { remote: { $ref: `http://127.0.0.1:${port}/schema.json`, description: 'far' } } });
      expect(out.properties).toEqual({ remote: { description: 'far' } });
      expect(requests).toBe(0);
    } finally {
      server.close();
    }
  });

  test('a missing or non-object root still yields an object schema', () => {
    expect(convertInputSchema(undefined)).toEqual({ type: 'object', properties: {} });
    expect(convertInputSchema({ type: 'object' })).toEqual({ type: 'object', properties: {} });
  });
});
