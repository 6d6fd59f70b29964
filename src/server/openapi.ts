/**
 * The OpenAPI 3.1 document of the JSON API, generated from the operations' zod schemas (src/ops/index.ts) with
 * zod's JSON Schema output (draft 2020-12, the dialect of OpenAPI 3.1). Served at `GET /api/openapi.json`;
 * test/server/openapi.test.ts validates real requests and answers of every route against it with ajv.
 */
import { z } from 'zod';
import { ERROR_JSON, OPERATIONS } from '../ops/index.js';

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any' });
  return rest as JsonSchema;
}

function capital(s: string): string {
  return s[0]!.toUpperCase() + s.slice(1);
}

/** `fleet/plan` -> `FleetPlan` (component names and operation ids cannot hold a slash). */
function pascal(route: string): string {
  return route.split('/').map(capital).join('');
}

const errorRef = { $ref: '#/components/schemas/Error' };
const errorAnswer = (description: string) => ({ description, content: { 'application/json': { schema: errorRef } } });

/** Builds the document (pure; the app caches it). */
export function openApiDocument(version: string): JsonSchema {
  const schemas: Record<string, JsonSchema> = { Error: jsonSchema(ERROR_JSON, 'output') };
  const paths: Record<string, unknown> = {};
  for (const op of OPERATIONS) {
    if (!op.http) continue;
    const name = pascal(op.name);
    schemas[`${name}Request`] = jsonSchema(op.http.input, 'input');
    schemas[`${name}Response`] = jsonSchema(op.http.output, 'output');
    paths[`/api/${op.name}`] = {
      post: {
        operationId: name[0]!.toLowerCase() + name.slice(1),
        summary: op.summary,
        description: `Implemented by ${op.module}.${op.heavy ? ' Bounded per request (use the CLI for more).' : ''}`,
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}Request` } } },
        },
        responses: {
          '200': {
            description: 'The result, the same JSON as the CLI with --format json',
            content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}Response` } } },
          },
          '400': errorAnswer('The input is invalid: every issue names the field, the value and the valid range'),
          '403': errorAnswer('The Host header is not a loopback name'),
          '413': errorAnswer('The request body is too large'),
          '415': errorAnswer('The request body is not sent as application/json'),
        },
      },
    };
  }
  paths['/api/openapi.json'] = {
    get: {
      operationId: 'openapi',
      summary: 'This document',
      responses: { '200': { description: 'The OpenAPI 3.1 document', content: { 'application/json': {} } } },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'precopy',
      version,
      description: 'Predict, optimise and simulate pre-copy live migration of virtual machines. Units as text.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    paths,
    components: { schemas },
  };
}
