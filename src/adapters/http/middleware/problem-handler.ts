import { STATUS_CODES } from 'node:http';
import type { Context } from 'koa';
import { DomainError } from '../../../domain/errors/domain-error.js';
import { DeadlineExceededError } from '../../../domain/errors/deadline-exceeded-error.js';
import { DependencyUnavailableError } from '../../../domain/errors/dependency-unavailable-error.js';
import { EventInProgressError } from '../../../domain/errors/event-in-progress-error.js';
import { InvalidQueryError } from '../../../domain/errors/invalid-query-error.js';
import { OverloadedError } from '../../../domain/errors/overloaded-error.js';
import { WorkCancelledError } from '../../../domain/errors/work-cancelled-error.js';
import { HttpProblem } from '../http-problem.js';
import { DOMAIN_ERROR_STATUS, problemType } from '../problem-types.js';
import { requestStateOf } from './request-context.js';

// Statuses the router leaves without a body (it sets Allow itself for 405 and 501).
const UNROUTED: Readonly<Record<number, string>> = {
  404: 'Not found',
  405: 'Method not allowed',
  501: 'Not implemented',
};

/** The problem+json answer due when nothing answered the request (no route, wrong method), if any. */
export function unroutedProblem(ctx: Context): HttpProblem | undefined {
  const unrouted = ctx.body == null ? UNROUTED[ctx.status] : undefined;
  return unrouted ? new HttpProblem(ctx.status, unrouted, `${unrouted}: ${ctx.method} ${ctx.path}`) : undefined;
}

/** The one place errors become responses: RFC 9457 problem+json, and nothing internal in a 500. */
export function renderError(ctx: Context, error: unknown) {
  renderProblem(ctx, toProblem(ctx, error));
}

function renderProblem(ctx: Context, problem: HttpProblem) {
  const { headers, type, ...extensions } = problem.extras;
  for (const [name, value] of Object.entries(headers ?? {})) ctx.set(name, value);
  ctx.status = problem.status;
  ctx.type = 'application/problem+json';
  ctx.body = {
    type: type ?? problemType(problem.title),
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
    instance: ctx.path,
    requestId: requestStateOf(ctx)?.requestId,
    ...extensions,
  };
}

function toProblem(ctx: Context, error: unknown): HttpProblem {
  if (error instanceof HttpProblem) return error;
  if (error instanceof DomainError && DOMAIN_ERROR_STATUS[error.code]) {
    const { status, title } = DOMAIN_ERROR_STATUS[error.code];
    const extras: Record<string, unknown> = { code: error.code };
    if (error instanceof InvalidQueryError) extras.errors = error.issues;
    if (error instanceof DependencyUnavailableError) {
      extras.dependency = error.dependency;
      extras.headers = { 'Retry-After': String(error.retryAfterSeconds) };
      requestStateOf(ctx)?.logger.warn({ err: error }, 'dependency unavailable');
    }
    if (error instanceof EventInProgressError || error instanceof DeadlineExceededError || error instanceof WorkCancelledError) {
      extras.headers = { 'Retry-After': String(error.retryAfterSeconds) };
    }
    // A statement or request past its deadline is a cost bound at work: worth a look, unlike a shed request.
    if (error instanceof DeadlineExceededError) requestStateOf(ctx)?.logger.warn({ err: error }, 'deadline exceeded');
    if (error instanceof OverloadedError) {
      extras.headers = { 'Retry-After': String(error.retryAfterSeconds) };
      ctx.state.shedBy = error.bulkhead;
    }
    return new HttpProblem(status, title, error.message, extras);
  }
  const status = statusOf(error);
  if (status !== undefined && ((status >= 400 && status < 500) || status === 501)) {
    const { headers } = error as { headers?: Record<string, string> };
    const title = STATUS_CODES[status] ?? 'Bad request';
    return new HttpProblem(status, title, (error as Error).message || title, { headers });
  }
  requestStateOf(ctx)?.logger.error({ err: error }, 'unhandled error');
  return new HttpProblem(500, 'Internal server error', 'The server could not complete the request.');
}

function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { status, statusCode, expose } = error as { status?: unknown; statusCode?: unknown; expose?: unknown };
  const code = typeof status === 'number' ? status : statusCode;
  return typeof code === 'number' && expose !== false ? code : undefined;
}
