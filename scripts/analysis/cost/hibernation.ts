/**
 * Hibernation's saving, read from the synthesized schedules: the hours per week between each `hibernate` schedule and
 * the next `wake` one (wall clock), times the hourly cost of what stops (line items flagged `hibernates`).
 */
import type { EnvironmentModel } from "../model";
import { AnalysisInputError } from "../synthesized";
import { round, sum, type LineItem } from "./pricing";

const DAYS = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"];
const WEEK_MINUTES = 7 * 24 * 60;

export interface HibernationEstimate {
  /** The schedules as deployed: action, cron expression, time zone. */
  readonly schedules: readonly { readonly action: string; readonly expression: string; readonly timezone: string }[];
  readonly hoursPerWeek: number;
  /** Hours per week hibernated / 168. */
  readonly share: number;
  /** Monthly steady-state cost of what stops while hibernating. */
  readonly stoppable: number;
  readonly monthlySaving: number;
}

/** Minutes after Monday 00:00 of every firing of `cron(M H ? * DAYS *)`, the form the hibernation schedules use. */
export function weeklyFirings(expression: string, where: string): number[] {
  const match = /^cron\((\d{1,2}) (\d{1,2}) \? \* ([A-Z,]+) \*\)$/.exec(expression);
  const days = match?.[3].split(",") ?? [];
  if (!match || days.some((d) => !DAYS.includes(d))) {
    throw new AnalysisInputError(`cannot read the schedule "${expression}" of ${where}: the cost estimate reads cron(<minute> <hour> ? * <DAY,...> *) only`);
  }
  return days.map((d) => DAYS.indexOf(d) * 1440 + Number(match[2]) * 60 + Number(match[1]));
}

/** Minutes per week between each hibernate firing and the next wake firing (the week wraps around). */
export function hibernatedMinutes(firings: readonly { readonly at: number; readonly action: string }[]): number {
  const events = [...firings].sort((a, b) => a.at - b.at);
  if (!events.some((e) => e.action === "hibernate")) return 0;
  let asleep = false;
  // A first lap settles the state at the week's start; the second counts.
  for (const e of events) asleep = e.action === "hibernate" ? true : e.action === "wake" ? false : asleep;
  let minutes = 0;
  let previous = 0;
  for (const e of events) {
    if (asleep) minutes += e.at - previous;
    previous = e.at;
    asleep = e.action === "hibernate" ? true : e.action === "wake" ? false : asleep;
  }
  return minutes + (asleep ? WEEK_MINUTES - previous : 0);
}

/** The environment's hibernation estimate, or undefined when it has no hibernation schedules. */
export function hibernationEstimate(model: EnvironmentModel, items: readonly LineItem[]): HibernationEstimate | undefined {
  const schedules = model.resources("aws_scheduler_schedule").flatMap((schedule) => {
    const target = schedule.body.target as Readonly<Record<string, unknown>> | undefined;
    const input = model.literal(schedule.stack, target?.input);
    let action: unknown;
    try {
      action = typeof input === "string" ? (JSON.parse(input) as { action?: unknown }).action : undefined;
    } catch {
      action = undefined;
    }
    if (action !== "hibernate" && action !== "wake") return [];
    const expression = String(model.literal(schedule.stack, schedule.body.schedule_expression));
    const timezone = String(model.literal(schedule.stack, schedule.body.schedule_expression_timezone) ?? "UTC");
    return [{ action, expression, timezone, at: weeklyFirings(expression, `aws_scheduler_schedule.${schedule.name} in ${schedule.stack}`) }];
  });
  if (!schedules.some((s) => s.action === "hibernate")) return undefined;
  const hoursPerWeek = hibernatedMinutes(schedules.flatMap((s) => s.at.map((at) => ({ at, action: s.action })))) / 60;
  const share = hoursPerWeek / 168;
  const stoppable = sum(items.filter((i) => i.hibernates).map((i) => i.monthly));
  return {
    schedules: schedules.map(({ action, expression, timezone }) => ({ action, expression, timezone })),
    hoursPerWeek,
    share: Math.round(share * 1e4) / 1e4,
    stoppable: round(stoppable),
    monthlySaving: round(stoppable * share),
  };
}
