import * as fs from "fs";
import * as path from "path";
import { ConfigError, ENVIRONMENTS_DIR, parseEnvironment } from "../../config/load";
import { repoEnvironments } from "../support/synth";

/** `alarms.thresholds`: the thresholds of the alarms on Airflow's own signals, defaulted per environment and checked. */
const FILE = "config/environments/dev.json";
const dev = () => JSON.parse(fs.readFileSync(path.join(ENVIRONMENTS_DIR, "dev.json"), "utf8"));

function problemsOf(raw: unknown): readonly string[] {
  try {
    parseEnvironment(FILE, JSON.stringify(raw));
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("alarm thresholds", () => {
  it.each(repoEnvironments().map((c) => [c.name, c.production, c.production ? 120 : 600] as const))(
    "%s (production %s) gets the documented defaults, a queued-to-running p95 of %i s",
    (name, _production, latency) => {
      // GIVEN the repository's environment, which writes no thresholds WHEN it is loaded THEN every threshold is defaulted
      const config = repoEnvironments().find((c) => c.name === name)!;
      expect(config.alarms.thresholds).toEqual({
        schedulerHeartbeatMissingMinutes: 3,
        schedulerLoopSeconds: 30,
        dagImportErrors: 0,
        executorSlotsExhaustedMinutes: 10,
        starvingTasks: 0,
        tasksWithoutHeartbeatKilled: 0,
        tasksKilledExternally: 0,
        dagParseSeconds: 120,
        triggererCapacityLeft: 50,
        schedulingLatencyP95Seconds: latency,
        failedTasksPer5Minutes: 10,
      });
    },
  );

  it("keeps the values a file writes, the derived one included", () => {
    // GIVEN a dev file that tolerates 3 import errors and a 90 s p95
    const raw = dev();
    raw.alarms = { ...raw.alarms, thresholds: { dagImportErrors: 3, schedulingLatencyP95Seconds: 90 } };
    // WHEN it is loaded THEN both are kept and the rest defaulted
    const config = parseEnvironment(FILE, JSON.stringify(raw));
    expect(config.alarms.thresholds).toMatchObject({ dagImportErrors: 3, schedulingLatencyP95Seconds: 90, schedulerLoopSeconds: 30 });
  });

  it("reports each bad threshold with the file, the environment, the field and what is allowed", () => {
    // GIVEN thresholds of the wrong type, out of range, fractional where whole, and a typo
    const raw = dev();
    raw.alarms = {
      ...raw.alarms,
      thresholds: { schedulerHeartbeatMissingMinutes: 1, schedulerLoopSeconds: "30", dagImportErrors: 1.5, failedTasksPer5Minutes: -1, zombieTasks: 2 },
    };
    // WHEN it is loaded THEN every problem is listed, each naming where it is and what would be accepted
    expect(problemsOf(raw)).toEqual([
      expect.stringMatching(
        /^config\/environments\/dev\.json: environment "dev": alarms\.thresholds\.zombieTasks = 2 is not a known field; allowed fields here: .*tasksWithoutHeartbeatKilled/,
      ),
      'config/environments/dev.json: environment "dev": alarms.thresholds.schedulerHeartbeatMissingMinutes = 1 is out of range; expected an integer from 2 to 60',
      'config/environments/dev.json: environment "dev": alarms.thresholds.schedulerLoopSeconds = "30" is a string; expected a number from 1 to 3600',
      'config/environments/dev.json: environment "dev": alarms.thresholds.dagImportErrors = 1.5 is a number; expected an integer from 0 to 100000',
      'config/environments/dev.json: environment "dev": alarms.thresholds.failedTasksPer5Minutes = -1 is out of range; expected an integer from 0 to 100000',
    ]);
  });
});
