import { z } from 'zod';
import { rateLimitBudgetFor } from '../rate-limit-budget.js';
import { ProblemSchema } from '../schemas/problem-schema.js';
import type { ResponseSpec, RouteSpec } from './route-spec.js';

export interface ApiInfo {
  readonly title: string;
  readonly version: string;
  readonly description?: string;
}

type Json = Record<string, unknown>;

const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };
const PROBLEM_CONTENT = 'application/problem+json';
const RATE_LIMIT_HEADERS = {
  'RateLimit-Limit': { $ref: '#/components/headers/RateLimit-Limit' },
  'RateLimit-Remaining': { $ref: '#/components/headers/RateLimit-Remaining' },
  'RateLimit-Reset': { $ref: '#/components/headers/RateLimit-Reset' },
  'RateLimit-Policy': { $ref: '#/components/headers/RateLimit-Policy' },
};
const TAGS = [
  { name: 'Catalogue', description: 'Products: listing, search and lookup.' },
  { name: 'Partner webhooks', description: 'Signed events pushed by the partner (API B).' },
  { name: 'Operations', description: 'Health and metrics for orchestrators and monitoring; never rate limited.' },
  { name: 'Documentation', description: 'This document and its human-readable page.' },
];

/**
 * The OpenAPI 3.1 document, built from the route specs: request parameters come from the zod
 * schemas the routes validate with (their input side), responses from the response schemas.
 */
export function buildOpenApiDocument(specs: readonly RouteSpec[], info: ApiInfo): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const spec of specs) {
    const path = spec.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    (paths[path] ??= {})[spec.method] = operation(spec);
  }
  const used = new Set(specs.flatMap((s) => s.tags));
  return {
    openapi: '3.1.0',
    info: { ...info },
    servers: [{ url: '/' }],
    tags: [...TAGS.filter((t) => used.has(t.name)), ...[...used].filter((n) => !TAGS.some((t) => t.name === n)).map((name) => ({ name }))],
    paths,
    components: {
      schemas: { Problem: jsonSchema(ProblemSchema, 'output') },
      headers: {
        'RateLimit-Limit': header('Requests allowed in the current window for this client.', 'integer'),
        'RateLimit-Remaining': header('Requests left in the current window.', 'integer'),
        'RateLimit-Reset': header('Seconds until the current window ends.', 'integer'),
        'RateLimit-Policy': header('The policy, e.g. `600;w=60`: 600 requests per 60-second window.', 'string'),
        'Retry-After': header('Seconds to wait before retrying.', 'integer'),
      },
    },
  };
}

function operation(spec: RouteSpec): Json {
  const request = spec.request ?? {};
  const examples = request.examples ?? {};
  const parameters = [
    ...parametersOf(request.params, 'path', examples.params),
    ...parametersOf(request.query, 'query', examples.query),
    ...parametersOf(request.headers, 'header', examples.headers),
  ];
  const strictQuery = request.query && jsonSchema(request.query, 'input').additionalProperties === false;
  const budget = rateLimitBudgetFor(spec.path);
  const op: Json = {
    operationId: spec.operationId,
    summary: spec.summary,
    tags: [...spec.tags],
    ...(spec.description || strictQuery
      ? {
          description: [spec.description, strictQuery ? 'Unknown query parameters are rejected with 400.' : undefined]
            .filter(Boolean)
            .join('\n\n'),
        }
      : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
  };
  if (request.body) {
    op.requestBody = {
      required: true,
      description: `At most ${request.body.limitBytes} bytes.`,
      content: {
        [request.body.contentType ?? 'application/json']: {
          schema: jsonSchema(request.body.schema, 'input'),
          ...(request.body.example === undefined ? {} : { example: request.body.example }),
        },
      },
    };
    op['x-body-limit-bytes'] = request.body.limitBytes;
  }
  if (budget) op['x-rate-limit-budget'] = budget;

  const responses: Record<string, Json> = {};
  for (const [status, response] of Object.entries(spec.responses)) {
    responses[status] = responseObject(response, budget !== undefined && Number(status) < 400);
  }
  const problem = (description: string, headers: Json = {}) => ({
    description,
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
    content: { [PROBLEM_CONTENT]: { schema: PROBLEM_REF } },
  });
  // The request-limits middleware answers 400 and 414 on every route, before any route runs.
  const validates = request.query || request.params || request.headers || request.body;
  responses['400'] ??= problem(
    validates
      ? 'The request does not match this operation (`errors[]` names each field), has too many query parameters, or lacks a Host header.'
      : 'Too many query parameters, or an HTTP/1.1 request without a Host header.',
  );
  responses['414'] ??= problem('The request target (path and query) is longer than this service accepts.');
  if (request.body) {
    responses['413'] ??= problem(`The body is larger than ${request.body.limitBytes} bytes.`);
    responses['415'] ??= problem('The body is not application/json.');
  }
  if (budget) {
    responses['429'] ??= problem(`Too many requests: this client spent its ${budget} budget for the window.`, {
      ...RATE_LIMIT_HEADERS,
      'Retry-After': { $ref: '#/components/headers/Retry-After' },
    });
  }
  responses.default = problem('Any other problem (404, 405, 431 headers too large, 500...).');
  op.responses = responses;
  return op;
}

function responseObject(response: ResponseSpec, rateLimited: boolean): Json {
  const headers: Json = {};
  for (const [name, h] of Object.entries(response.headers ?? {})) {
    headers[name] = { description: h.description, schema: h.schema ?? { type: 'string' } };
  }
  if (rateLimited) Object.assign(headers, RATE_LIMIT_HEADERS);
  const out: Json = { description: response.description };
  if (Object.keys(headers).length > 0) out.headers = headers;
  if (response.schema || response.contentType) {
    const contentType = response.contentType ?? 'application/json';
    const schema = response.schema === ProblemSchema ? PROBLEM_REF : response.schema ? jsonSchema(response.schema, 'output') : {};
    out.content = {
      [contentType]: { schema, ...(response.example === undefined ? {} : { example: response.example }) },
    };
  }
  return out;
}

function parametersOf(schema: z.ZodObject | undefined, where: 'path' | 'query' | 'header', examples?: Readonly<Record<string, string>>) {
  if (!schema) return [];
  const json = jsonSchema(schema, 'input');
  const required = new Set((json.required as string[] | undefined) ?? []);
  return Object.entries((json.properties ?? {}) as Record<string, Json>).map(([name, property]) => {
    const { description, ...propertySchema } = property;
    return {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      ...(description ? { description } : {}),
      schema: propertySchema,
      ...(examples?.[name] === undefined ? {} : { example: examples[name] }),
    };
  });
}

function header(description: string, type: 'integer' | 'string') {
  return { description, schema: { type } };
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any' }) as Json;
  return rest;
}
