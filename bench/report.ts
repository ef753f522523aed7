import type { LoadResult } from './load.js';

export interface ScenarioResult {
  readonly name: string;
  readonly result: LoadResult;
  /** The ceiling this scenario is compared with, by name. */
  readonly ceiling?: string;
  /** The X-Cache values every response of the scenario must carry. */
  readonly expectedCache?: readonly ('HIT' | 'STALE' | 'MISS')[];
}

export interface Target {
  readonly description: string;
  readonly actual: string;
  readonly met: boolean;
}

export interface ReportContext {
  readonly title: string;
  readonly environment: readonly string[];
  readonly commands: readonly string[];
  readonly notes: readonly string[];
}

const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');
const rps = (n: number) => Math.round(n).toLocaleString('en-US');

export function renderReport(context: ReportContext, scenarios: readonly ScenarioResult[], targets: readonly Target[]): string {
  const byName = new Map(scenarios.map((s) => [s.name, s.result]));
  const rows = scenarios.map(({ name, result, ceiling, expectedCache }) => {
    const base = ceiling ? byName.get(ceiling) : undefined;
    const ratio = base ? `${(result.requestsPerSecond / base.requestsPerSecond).toFixed(2)}x ${ceiling}` : '-';
    const cache = Object.entries(result.xCache).map(([k, v]) => `${k} ${v}`).join(', ') || '-';
    const statuses = Object.entries(result.statuses).map(([k, v]) => `${k}: ${v}`).join(', ');
    const flag = expectedCache && Object.keys(result.xCache).some((k) => !expectedCache.includes(k as 'HIT')) ? ' (!)' : '';
    return `| ${name} | ${rps(result.requestsPerSecond)} | ${ms(result.p50)} | ${ms(result.p95)} | ${ms(result.p99)} | ${ratio} | ${cache}${flag} | ${statuses}${result.errors ? `, errors: ${result.errors}` : ''} |`;
  });
  return [
    `# ${context.title}`,
    '',
    ...context.environment.map((line) => `- ${line}`),
    '',
    '| scenario | req/s | p50 ms | p95 ms | p99 ms | throughput vs ceiling | X-Cache | responses |',
    '|---|---:|---:|---:|---:|---|---|---|',
    ...rows,
    '',
    '| target (issue 3) | measured | met |',
    '|---|---|---|',
    ...targets.map((t) => `| ${t.description} | ${t.actual} | ${t.met ? 'yes' : '**no**'} |`),
    '',
    ...context.notes.map((line) => `- ${line}`),
    '',
    'Produced by:',
    '',
    '```sh',
    ...context.commands,
    '```',
    '',
  ].join('\n');
}
