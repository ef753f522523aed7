import type { z } from 'zod';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface ResponseSpec {
  readonly description: string;
  /** Media type of the body; absent with no schema means the response has no body (204, 304). */
  readonly contentType?: string;
  readonly schema?: z.ZodType;
  /** Must validate against `schema` (a test checks every one). */
  readonly example?: unknown;
  readonly headers?: Readonly<Record<string, { readonly description: string; readonly schema?: object }>>;
}

export interface BodySpec {
  readonly schema: z.ZodType;
  /** Default application/json. */
  readonly contentType?: string;
  /** The limit the route's body reader (rawBody) enforces (413 above it). */
  readonly limitBytes: number;
  readonly example?: unknown;
}

/**
 * Everything the OpenAPI document says about one route. The request schemas are the very objects
 * the route validates with, so the document cannot drift from the code.
 */
export interface RouteSpec {
  readonly method: HttpMethod;
  /** The Koa path template exactly as registered on the router, e.g. '/api/products/:id'. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly request?: {
    readonly query?: z.ZodObject;
    readonly params?: z.ZodObject;
    readonly headers?: z.ZodObject;
    readonly body?: BodySpec;
    /** Example values (as sent on the wire: strings); each must validate against its schema. */
    readonly examples?: {
      readonly query?: Readonly<Record<string, string>>;
      readonly params?: Readonly<Record<string, string>>;
      readonly headers?: Readonly<Record<string, string>>;
    };
  };
  /** Keyed by status code; the edge's shared problems (400, 414, 429, 413, 415, default) are added unless given here. */
  readonly responses: Readonly<Record<number, ResponseSpec>>;
}
