import { z } from 'zod';
import type { RouteSpec } from '../route-spec.js';
import { LivenessSchema, ReadinessSchema } from '../../schemas/health-schemas.js';
import { ProblemSchema } from '../../schemas/problem-schema.js';

export const healthRouteSpecs: readonly RouteSpec[] = [
  {
    method: 'get',
    path: '/livez',
    operationId: 'liveness',
    summary: 'Liveness: the process is running (never checks dependencies)',
    tags: ['Operations'],
    responses: { 200: { description: 'Alive.', schema: LivenessSchema, example: { status: 'ok' } } },
  },
  {
    method: 'get',
    path: '/readyz',
    operationId: 'readiness',
    summary: 'Readiness: every dependency answers and the instance is not draining',
    description:
      'Answered from a probe at most about 1 s old; concurrent callers share one probe, which uses a database connection of its own (never one of the catalogue or webhook pools).',
    tags: ['Operations'],
    responses: {
      200: {
        description: 'Ready to take traffic.',
        schema: ReadinessSchema,
        example: { status: 'ready', dependencies: { database: { status: 'up', latencyMs: 1.2 } } },
      },
      503: {
        description: 'A dependency is down, or the instance is shutting down.',
        contentType: 'application/problem+json',
        schema: ProblemSchema,
        headers: { 'Retry-After': { description: 'Seconds to wait before asking again.' } },
      },
    },
  },
  {
    method: 'get',
    path: '/metrics',
    operationId: 'metrics',
    summary: 'Prometheus metrics (with WORKERS above 1, summed across the worker processes)',
    tags: ['Operations'],
    responses: {
      200: {
        description: 'Prometheus text exposition format.',
        contentType: 'text/plain; version=0.0.4; charset=utf-8',
        schema: z.string(),
      },
      503: {
        description: 'With WORKERS above 1, a worker process did not report its metrics within 2 s.',
        contentType: 'application/problem+json',
        schema: ProblemSchema,
        headers: { 'Retry-After': { description: 'Seconds to wait before asking again.' } },
      },
    },
  },
];
