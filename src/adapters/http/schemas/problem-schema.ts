import { z } from 'zod';

/** RFC 9457 problem details as this service writes them: every 4xx and 5xx body. */
export const ProblemSchema = z
  .object({
    type: z.string().min(1).describe('A URN naming the kind of problem.'),
    title: z.string().min(1),
    status: z.number().int().min(400).max(599),
    detail: z.string(),
    instance: z.string().describe('The request path.'),
    requestId: z.string().optional().describe('Echoes X-Request-Id; quote it when reporting a problem.'),
    code: z.string().optional().describe('Stable domain error code, when a domain rule was broken.'),
    dependency: z
      .string()
      .optional()
      .describe('On a 503: which dependency failed, for example the partner catalogue or its token endpoint.'),
    errors: z
      .array(z.object({ field: z.string(), message: z.string() }))
      .optional()
      .describe('One entry per invalid field.'),
  })
  .loose();
