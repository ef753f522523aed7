import { z } from 'zod';

/** The Swagger UI files /docs needs, served from the swagger-ui-dist package (and our initializer). */
export const DOCS_ASSETS = ['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png', 'docs-init.js'] as const;

export const DocsAssetParamsSchema = z.object({
  file: z.enum(DOCS_ASSETS, { message: `must be one of ${DOCS_ASSETS.join(', ')}` }),
});
