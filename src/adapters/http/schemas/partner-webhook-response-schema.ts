import { z } from 'zod';

export const PartnerWebhookResultSchema = z.object({
  eventId: z.string(),
  status: z
    .enum(['applied', 'superseded', 'ignored', 'duplicate'])
    .describe('applied; superseded by a newer version; ignored (unknown type); duplicate (already applied).'),
});
