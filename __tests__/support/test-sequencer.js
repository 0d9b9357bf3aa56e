// Starts the suites that take longest first, so the two workers finish together instead of one running a long suite
// alone at the end. Jest's own order (previous durations, else file size) knows nothing on a fresh clone; the
// Terraform tiers and the real-process suites are known to be long. The rest keep Jest's order.
const Sequencer = require("@jest/test-sequencer").default;

const LONG_FIRST = [
  "__tests__/terraform/offline-tiers.test.ts",
  "__tests__/terraform/apply-tier.test.ts",
  "__tests__/terraform/harness.test.ts",
  "__tests__/terraform/apply-harness.test.ts",
  "__tests__/delivery/plan-summary.test.ts",
  "__tests__/delivery/workflows.test.ts",
  "__tests__/docker/entrypoint.test.ts",
  "__tests__/docker/migrate.test.ts",
  "__tests__/docker/db-clean.test.ts",
  "__tests__/docker/python.test.ts",
  "__tests__/scripts/check-dag-queues.test.ts",
];

const rank = (test) => {
  const i = LONG_FIRST.findIndex((suffix) => test.path.endsWith(suffix));
  return i < 0 ? LONG_FIRST.length : i;
};

class LongFirstSequencer extends Sequencer {
  sort(tests) {
    const ordered = super.sort(tests);
    return ordered
      .map((test, i) => ({ test, i }))
      .sort((a, b) => rank(a.test) - rank(b.test) || a.i - b.i)
      .map(({ test }) => test);
  }
}

module.exports = LongFirstSequencer;
