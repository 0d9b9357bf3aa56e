import { EXECUTION_TIMEOUT_SECONDS, hibernationDefinition, hibernationPaths } from "../../../modules/operations/hibernation-definition";
import { HIBERNATION_ERRORS, HIBERNATION_STEPS, POLL_SECONDS } from "../../../runtime/hibernation";
import { PLAN } from "../../lambda/hibernation/plan";

const definition = hibernationDefinition({ functionArn: "arn:fn", publisherRule: "airflow-dev-queue-depth-publisher", plan: PLAN }) as any;
const states = definition.States as Record<string, any>;
const targets = (state: any): string[] =>
  [state.Next, state.Default, ...(state.Choices ?? []).map((c: any) => c.Next), ...(state.Catch ?? []).map((c: any) => c.Next)].filter(
    (t): t is string => typeof t === "string",
  );

describe("the hibernation state machine definition", () => {
  it("starts by setting the plan, then chooses the path by action, and stops any execution after four hours", () => {
    expect(definition.StartAt).toBe("Plan");
    expect(states.Plan).toEqual({ Type: "Pass", Result: PLAN, ResultPath: "$.plan", Next: "Action?" });
    expect(states["Action?"].Choices.map((c: any) => [c.StringEquals, c.Next])).toEqual([
      ["hibernate", "Hibernate: begin"],
      ["wake", "Wake: begin"],
      ["keep-stopped", "Keep stopped: stop the database again (start)"],
    ]);
    expect(definition.TimeoutSeconds).toBe(EXECUTION_TIMEOUT_SECONDS);
  });

  it("leads every transition to a state that exists, and reaches every state", () => {
    const all = Object.keys(states);
    for (const [name, state] of Object.entries(states)) expect([name, targets(state).filter((t) => !all.includes(t))]).toEqual([name, []]);
    const reached = new Set<string>(["Plan"]);
    for (let grew = true; grew;) {
      const before = reached.size;
      for (const name of [...reached]) targets(states[name]).forEach((t) => reached.add(t));
      grew = reached.size > before;
    }
    expect(all.filter((s) => !reached.has(s))).toEqual([]);
  });

  it("routes a superseded step to a quiet success and any other failure to its path's failure handling", () => {
    const tasks = Object.entries(states).filter(([, s]) => s.Type === "Task");
    expect(tasks.length).toBeGreaterThan(15);
    for (const [name, task] of tasks) {
      expect([name, task.Catch[0]]).toEqual([name, { ErrorEquals: [HIBERNATION_ERRORS.superseded], ResultPath: "$.error", Next: "Superseded" }]);
      expect(task.Catch[1].ErrorEquals).toEqual(["States.ALL"]);
    }
    const onError = (prefix: string) => new Set(tasks.filter(([n]) => n.startsWith(prefix)).map(([, t]) => t.Catch[1].Next));
    expect([...onError("Hibernate:")]).toEqual(["Hibernation failed"]);
    expect([...onError("Wake: ")].sort()).toEqual(["Wake-up failed", "Wake: re-arm the alarms after a failure"]);
    expect(states["Wake: re-arm the alarms after a failure"]).toMatchObject({ Parameters: { Payload: { step: "rearm-alarms" } }, Next: "Wake-up failed" });
  });

  it("invokes the Lambda with the step, the action, the plan and, for waits, when the wait began; retrying Lambda's transient errors", () => {
    const wait = states["Wake: start the database"];
    expect(wait.Parameters).toEqual({
      FunctionName: "arn:fn",
      Payload: { step: "start-database", "action.$": "$.action", "plan.$": "$.plan", "since.$": "$.since.at" },
    });
    expect(wait.Retry[0]).toMatchObject({ ErrorEquals: expect.arrayContaining(["Lambda.TooManyRequestsException"]), MaxAttempts: 6 });
    expect(states["Wake: begin"].Parameters.Payload).toEqual({ step: "begin", "action.$": "$.action", "plan.$": "$.plan" });
  });

  it("loops a waiting step: note the start, check, and check again a minute later until done", () => {
    const label = "Hibernate: wait for the pools to drain";
    expect(states[`${label} (start)`]).toEqual({ Type: "Pass", Parameters: { "at.$": "$$.State.EnteredTime" }, ResultPath: "$.since", Next: label });
    expect(states[label].Next).toBe(`${label}?`);
    expect(states[`${label}?`]).toEqual({
      Type: "Choice",
      Choices: [{ Variable: "$.result.done", BooleanEquals: true, Next: "Hibernate: stop the other services" }],
      Default: `${label} (poll)`,
    });
    expect(states[`${label} (poll)`]).toEqual({ Type: "Wait", Seconds: POLL_SECONDS, Next: label });
  });

  it("uses every step the Lambda knows, and pauses the publisher with a direct SDK call on the rule", () => {
    const paths = hibernationPaths("rule");
    const used = new Set([...paths.hibernate, ...paths.wake, ...paths.keepStopped].flatMap((l) => ("step" in l ? [l.step] : [])));
    expect([...HIBERNATION_STEPS].filter((s) => !used.has(s))).toEqual([]);
    expect(states["Hibernate: pause the queue-depth publisher"]).toMatchObject({
      Resource: "arn:aws:states:::aws-sdk:eventbridge:disableRule",
      Parameters: { Name: "airflow-dev-queue-depth-publisher" },
      ResultPath: null,
    });
  });
});
