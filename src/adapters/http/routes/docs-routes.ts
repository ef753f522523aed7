import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Router } from '@koa/router';
import { DocsAssetParamsSchema } from '../schemas/docs-schemas.js';
import { validate } from '../validation.js';
import { DOCUMENT_HEADERS } from '../middleware/security-headers.js';

export interface DocsRouteDeps {
  /** The OpenAPI document, built once at start-up. */
  readonly document: object;
}

/** Swagger UI needs inline styles and data: images; everything else is this origin only. */
const DOCS_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>FarmLokal API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
<link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/docs-init.js"></script>
</body>
</html>
`;

// A file rather than an inline script, so the page's CSP needs no 'unsafe-inline' for scripts.
const INITIALIZER = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout'
  });
});
`;

const TYPES: Record<string, string> = {
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  png: 'image/png',
};

interface Asset {
  readonly body: Buffer;
  readonly etag: string;
}

/** /openapi.json, /docs and the page's assets, all from this process: nothing is fetched from the internet. */
export function docsRoutes({ document }: DocsRouteDeps): Router {
  const router = new Router();
  const json = JSON.stringify(document);
  const documentEtag = etagOf(json);
  const assets = new Map<string, Promise<Asset>>();
  const swaggerUiDirectory = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

  router.get('/openapi.json', (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.set('ETag', documentEtag);
    if (ctx.get('if-none-match') === documentEtag) {
      ctx.status = 304;
      return;
    }
    ctx.type = 'application/json';
    ctx.body = json;
  });

  router.get('/docs', (ctx) => {
    ctx.set(DOCUMENT_HEADERS);
    ctx.set('Content-Security-Policy', DOCS_CONTENT_SECURITY_POLICY);
    ctx.set('Cache-Control', 'no-cache');
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = PAGE;
  });

  router.get('/docs/assets/:file', async (ctx) => {
    const { file } = validate(DocsAssetParamsSchema, ctx.params, 'path');
    let asset = assets.get(file);
    if (!asset) {
      const loading = file === 'docs-init.js' ? Promise.resolve(Buffer.from(INITIALIZER)) : readFile(join(swaggerUiDirectory, file));
      asset = loading.then((body) => ({ body, etag: etagOf(body) }));
      asset.catch(() => assets.delete(file));
      assets.set(file, asset);
    }
    const { body, etag } = await asset;
    ctx.set('Content-Security-Policy', DOCS_CONTENT_SECURITY_POLICY);
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.set('ETag', etag);
    if (ctx.get('if-none-match') === etag) {
      ctx.status = 304;
      return;
    }
    ctx.type = TYPES[file.slice(file.lastIndexOf('.') + 1)] ?? 'application/octet-stream';
    ctx.body = body;
  });

  return router;
}

function etagOf(content: string | Buffer) {
  return `"${createHash('sha1').update(content).digest('base64url')}"`;
}
