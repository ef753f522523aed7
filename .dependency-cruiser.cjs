/** The layer rule: arrows point inward, and nothing imports the composition root. */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment: 'src/domain imports nothing outside src/domain: no packages, no Node built-ins',
      from: { path: '^src/domain/' },
      to: { pathNot: '^src/domain/' },
    },
    {
      name: 'application-uses-domain-only',
      severity: 'error',
      comment: 'src/application imports src/domain, src/shared, src/types.ts and inversify only',
      from: { path: '^src/application/' },
      to: { pathNot: ['^src/(domain|application|shared)/', '^src/types\\.ts$', 'node_modules/(inversify|@inversifyjs)/'] },
    },
    {
      name: 'adapters-do-not-import-infrastructure',
      severity: 'error',
      from: { path: '^src/(domain|application|adapters)/' },
      to: { path: '^src/infrastructure/' },
    },
    {
      name: 'adapter-stays-in-its-technology',
      severity: 'error',
      comment:
        'an adapter imports its own technology folder and src/adapters/shared only; the Redis client type is how ' +
        'Redis-backed pieces elsewhere (the rate limiter) receive their connection',
      from: { path: '^src/adapters/([^/]+)/', pathNot: '^src/adapters/(oauth|in-memory)/' },
      to: { path: '^src/adapters/', pathNot: ['^src/adapters/($1|shared)/', '^src/adapters/redis/redis-client\\.ts$'] },
    },
    {
      name: 'oauth-stays-in-oauth',
      severity: 'error',
      comment: 'src/adapters/oauth holds the whole token family; its fleet-wide cache (RedisTokenSource) uses the redis/ primitives',
      from: { path: '^src/adapters/oauth/' },
      to: { path: '^src/adapters/', pathNot: '^src/adapters/(oauth|shared|redis)/' },
    },
    {
      name: 'in-memory-imports-no-other-adapter',
      severity: 'error',
      comment: 'the in-memory adapters stand alone, so the contract suites compare them with the real ones and not with themselves',
      from: { path: '^src/adapters/in-memory/' },
      to: { path: '^src/adapters/', pathNot: '^src/adapters/(in-memory|shared)/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'no import cycles anywhere in src',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'shared-imports-nothing',
      severity: 'error',
      comment: 'src/shared holds small dependency-free utilities (bounded map, throttled warning) that every layer but the domain may use',
      from: { path: '^src/shared/' },
      to: { pathNot: '^src/shared/' },
    },
    {
      name: 'types-imports-nothing',
      severity: 'error',
      from: { path: '^src/types\\.ts$' },
      to: {},
    },
    {
      name: 'service-never-imports-tools',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(tools|test|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
