import { z } from 'zod';

export const LivenessSchema = z.object({ status: z.literal('ok') });

const DependencySchema = z.object({ status: z.enum(['up', 'down']), latencyMs: z.number().min(0) });

export const ReadinessSchema = z.object({
  status: z.literal('ready'),
  dependencies: z.record(z.string(), DependencySchema),
});
