import { z } from 'zod';
import type { RouteSpec } from '../route-spec.js';
import { DocsAssetParamsSchema } from '../../schemas/docs-schemas.js';

const ETAG = { ETag: { description: 'Strong validator; send it back in If-None-Match for a 304.' } };
const NOT_MODIFIED = { description: 'The representation named in If-None-Match is still current.', headers: ETAG };

export const docsRouteSpecs: readonly RouteSpec[] = [
  {
    method: 'get',
    path: '/openapi.json',
    operationId: 'openApiDocument',
    summary: 'This OpenAPI 3.1 document',
    tags: ['Documentation'],
    responses: {
      200: { description: 'The OpenAPI document.', schema: z.object({ openapi: z.string() }).loose(), headers: ETAG },
      304: NOT_MODIFIED,
    },
  },
  {
    method: 'get',
    path: '/docs',
    operationId: 'docsPage',
    summary: 'Human-readable API documentation (Swagger UI, served offline)',
    tags: ['Documentation'],
    responses: { 200: { description: 'The documentation page.', contentType: 'text/html; charset=utf-8', schema: z.string() } },
  },
  {
    method: 'get',
    path: '/docs/assets/:file',
    operationId: 'docsAsset',
    summary: 'A static asset of the documentation page',
    tags: ['Documentation'],
    request: { params: DocsAssetParamsSchema, examples: { params: { file: 'swagger-ui.css' } } },
    responses: {
      200: {
        description: 'The asset (CSS, JavaScript or image).',
        contentType: 'application/octet-stream',
        schema: z.string(),
        headers: ETAG,
      },
      304: NOT_MODIFIED,
    },
  },
];
