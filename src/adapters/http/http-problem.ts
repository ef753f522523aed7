export interface ProblemFieldError {
  readonly field: string;
  readonly message: string;
}

/** An error raised at the HTTP edge (bad request shape, unknown route, wrong media type...). */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly extras: {
      readonly errors?: readonly ProblemFieldError[];
      readonly headers?: Readonly<Record<string, string>>;
      readonly type?: string;
      readonly [extension: string]: unknown;
    } = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
  }
}
