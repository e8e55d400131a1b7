import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/** The parts of an OpenAPI document the comparison looks at. */
export interface OpenApiDocument {
  paths?: Record<string, Record<string, Operation | undefined> | undefined>;
  components?: { schemas?: Record<string, Schema | undefined> };
}

interface Operation {
  operationId?: string;
  parameters?: { name: string; in: string; schema?: Schema }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> } | undefined>;
}

interface Schema {
  type?: string | string[];
  format?: string;
  $ref?: string;
  items?: Schema;
  additionalProperties?: Schema | boolean;
  properties?: Record<string, Schema>;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

export function readOpenApi(path: string): OpenApiDocument {
  return parse(readFileSync(path, 'utf8')) as OpenApiDocument;
}

/** What "the same type" means: type, format, `$ref`, and the same of array items and map values. */
function typeOf(schema: Schema | boolean | undefined): string {
  if (schema === undefined || typeof schema === 'boolean') return JSON.stringify(schema ?? null);
  return JSON.stringify({
    type: schema.type ?? null,
    format: schema.format ?? null,
    ref: schema.$ref ?? null,
    items: schema.items === undefined ? null : typeOf(schema.items),
    values: schema.additionalProperties === undefined ? null : typeOf(schema.additionalProperties),
  });
}

function bodySchemas(
  content: Record<string, { schema?: Schema }> | undefined,
): [mediaType: string, schema: Schema | undefined][] {
  return Object.entries(content ?? {}).map(([mediaType, media]) => [mediaType, media.schema]);
}

/**
 * Every path, method, parameter, request and response body, schema and schema field of `ours`
 * must exist in `official` with the same type (and each operation with the same id). Returns one
 * line per difference; empty when `ours` is a faithful subset.
 */
export function differencesFromOfficial(ours: OpenApiDocument, official: OpenApiDocument): string[] {
  const problems: string[] = [];
  for (const [path, item] of Object.entries(ours.paths ?? {})) {
    const theirs = official.paths?.[path];
    if (!theirs) {
      problems.push(`path ${path}: not in the official document`);
      continue;
    }
    for (const method of METHODS) {
      const op = item?.[method];
      if (!op) continue;
      const where = `${method.toUpperCase()} ${path}`;
      const their = theirs[method];
      if (!their) {
        problems.push(`${where}: not in the official document`);
        continue;
      }
      if (op.operationId !== their.operationId)
        problems.push(`${where}: operationId ${op.operationId} (official: ${their.operationId})`);
      for (const param of op.parameters ?? []) {
        const match = their.parameters?.find((p) => p.name === param.name && p.in === param.in);
        if (!match) problems.push(`${where}: ${param.in} parameter ${param.name} not in the official document`);
        else if (typeOf(param.schema) !== typeOf(match.schema))
          problems.push(
            `${where}: parameter ${param.name} is ${typeOf(param.schema)} (official: ${typeOf(match.schema)})`,
          );
      }
      const theirBodies = new Map(bodySchemas(their.requestBody?.content));
      for (const [mediaType, schema] of bodySchemas(op.requestBody?.content)) {
        if (!theirBodies.has(mediaType))
          problems.push(`${where}: request body ${mediaType} not in the official document`);
        else if (typeOf(schema) !== typeOf(theirBodies.get(mediaType)))
          problems.push(
            `${where}: request body is ${typeOf(schema)} (official: ${typeOf(theirBodies.get(mediaType))})`,
          );
      }
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        const theirResponse = their.responses?.[status];
        if (!theirResponse) {
          problems.push(`${where}: response ${status} not in the official document`);
          continue;
        }
        const theirContent = new Map(bodySchemas(theirResponse.content));
        for (const [mediaType, schema] of bodySchemas(response?.content))
          if (typeOf(schema) !== typeOf(theirContent.get(mediaType)))
            problems.push(
              `${where}: response ${status} ${mediaType} is ${typeOf(schema)} (official: ${typeOf(theirContent.get(mediaType))})`,
            );
      }
    }
  }
  for (const [name, schema] of Object.entries(ours.components?.schemas ?? {})) {
    const theirs = official.components?.schemas?.[name];
    if (!theirs) {
      problems.push(`schema ${name}: not in the official document`);
      continue;
    }
    if (typeOf(schema) !== typeOf(theirs))
      problems.push(`schema ${name} is ${typeOf(schema)} (official: ${typeOf(theirs)})`);
    for (const [field, fieldSchema] of Object.entries(schema?.properties ?? {})) {
      const theirField = theirs.properties?.[field];
      if (!theirField) problems.push(`schema ${name}: field ${field} not in the official document`);
      else if (typeOf(fieldSchema) !== typeOf(theirField))
        problems.push(`schema ${name}: field ${field} is ${typeOf(fieldSchema)} (official: ${typeOf(theirField)})`);
    }
  }
  return problems;
}

/** Every `$ref` in `document` that names no schema of its own. */
export function danglingRefs(document: OpenApiDocument): string[] {
  const refs = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node !== null && typeof node === 'object')
      for (const [key, value] of Object.entries(node)) {
        if (key === '$ref' && typeof value === 'string') refs.add(value);
        else walk(value);
      }
  };
  walk(document);
  const prefix = '#/components/schemas/';
  return [...refs].filter(
    (ref) => !ref.startsWith(prefix) || !document.components?.schemas?.[ref.slice(prefix.length)],
  );
}
