import type { z } from 'zod';
import { HttpProblem, type ProblemFieldError } from './http-problem.js';

/** Parses request input with a route's schema; every problem becomes one entry of a 400's errors[]. */
export function validate<S extends z.ZodType>(schema: S, input: unknown, where: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const errors: ProblemFieldError[] = result.error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: key, message: `unknown ${where} parameter` }));
    }
    const field = issue.path.join('.') || where;
    return [{ field, message: issue.message }];
  });
  throw new HttpProblem(400, 'Invalid request', `The ${where} has ${errors.length} invalid field(s).`, { errors });
}
