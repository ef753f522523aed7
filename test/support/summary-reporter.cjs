'use strict';
// Spec output, then one plain line CI can read: "N passed, N failed".
const { reporters, Runner } = require('mocha');

class SummaryReporter extends reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    let passed = 0;
    let failed = 0;
    runner.on(Runner.constants.EVENT_TEST_PASS, () => {
      passed += 1;
    });
    runner.on(Runner.constants.EVENT_TEST_FAIL, () => {
      failed += 1;
    });
    runner.once(Runner.constants.EVENT_RUN_END, () => {
      process.nextTick(() => process.stdout.write(`${passed} passed, ${failed} failed\n`));
    });
  }
}

module.exports = SummaryReporter;
