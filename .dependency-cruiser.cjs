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
      comment: 'src/application imports src/domain, src/types.ts and inversify only',
      from: { path: '^src/application/' },
      to: { pathNot: ['^src/(domain|application)/', '^src/types\\.ts$', 'node_modules/(inversify|@inversifyjs)/'] },
    },
    {
      name: 'adapters-do-not-import-infrastructure',
      severity: 'error',
      from: { path: '^src/(domain|application|adapters)/' },
      to: { path: '^src/infrastructure/' },
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
