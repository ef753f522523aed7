/** The scenario groups `npm run bench` can run, each on its own or together (BENCH_SCENARIOS). */
export const SCENARIO_GROUPS = ['cold', 'cached', 'mixed', 'adversarial', 'noisy', 'replica'] as const;
export type ScenarioGroup = (typeof SCENARIO_GROUPS)[number];

// replica starts two private MariaDB servers and seeds one: asked for by name only.
const DEFAULT_GROUPS = SCENARIO_GROUPS.filter((group) => group !== 'replica');

/** Parses a comma-separated list; unset or empty: every group but replica. An unknown name is an error. */
export function selectScenarios(list: string | undefined): ReadonlySet<ScenarioGroup> {
  const names = (list ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const unknown = names.filter((name) => !(SCENARIO_GROUPS as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`BENCH_SCENARIOS: unknown ${unknown.join(', ')}; choose from ${SCENARIO_GROUPS.join(', ')}`);
  return new Set(names.length > 0 ? (names as ScenarioGroup[]) : DEFAULT_GROUPS);
}
