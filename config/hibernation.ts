/**
 * Hibernation windows as periods of the week, the EventBridge Scheduler cron expressions that start and end them,
 * their hours per week, and the rules a configuration must follow.
 */
import type { FieldIssue } from "./spec/check";
import { WEEKDAYS } from "./spec/hibernation";
import type { EnvironmentConfig, HibernationConfig, HibernationWindow } from "./schema";

export type Weekday = (typeof WEEKDAYS)[number];

const MINUTES_PER_DAY = 24 * 60;
export const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;
/** Shortest window: hibernating and waking up take up to half an hour each, and a shorter window saves next to nothing. */
export const MIN_WINDOW_MINUTES = 60;

/** One hibernation of a window: minutes after Monday 00:00 (wall clock) when it starts and ends (`end` may pass the week's end). */
export interface HibernationPeriod {
  /** Index of the window in `hibernation.windows`. */
  readonly window: number;
  readonly day: Weekday;
  readonly start: number;
  readonly end: number;
}

const minutesOf = (time: string): number => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
const dayIndex = (day: Weekday): number => WEEKDAYS.indexOf(day);
const dayAt = (minuteOfWeek: number): Weekday =>
  WEEKDAYS[Math.floor((((minuteOfWeek % MINUTES_PER_WEEK) + MINUTES_PER_WEEK) % MINUTES_PER_WEEK) / MINUTES_PER_DAY)];

/** `07:00` → the next 07:00 after the start; `MON 07:00` → the next Monday 07:00 after it. */
function endAfter(start: number, end: string): number {
  const [dayPart, timePart] = end.includes(" ") ? end.split(" ") : [undefined, end];
  let at = (dayPart ? dayIndex(dayPart as Weekday) * MINUTES_PER_DAY : Math.floor(start / MINUTES_PER_DAY) * MINUTES_PER_DAY) + minutesOf(timePart);
  const step = dayPart ? MINUTES_PER_WEEK : MINUTES_PER_DAY;
  while (at <= start) at += step;
  return at;
}

/** Every hibernation a window describes, one per start day, in week order. */
export function windowPeriods(window: HibernationWindow, index: number): HibernationPeriod[] {
  return [...new Set(window.days)]
    .sort((a, b) => dayIndex(a) - dayIndex(b))
    .map((day) => {
      const start = dayIndex(day) * MINUTES_PER_DAY + minutesOf(window.start);
      return { window: index, day, start, end: endAfter(start, window.end) };
    });
}

export function hibernationPeriods(hibernation: HibernationConfig): HibernationPeriod[] {
  return hibernation.windows.flatMap((window, i) => windowPeriods(window, i));
}

/** The two EventBridge Scheduler cron expressions of a window, in its time zone. */
export interface WindowSchedule {
  readonly window: number;
  /** `cron(0 20 ? * MON,TUE,WED,THU *)`: when hibernation starts. */
  readonly hibernate: string;
  /** `cron(0 7 ? * TUE,WED,THU,FRI *)`: when the environment wakes up. */
  readonly wake: string;
}

function cron(minuteOfDay: number, days: readonly Weekday[]): string {
  const ordered = [...new Set(days)].sort((a, b) => dayIndex(a) - dayIndex(b));
  return `cron(${minuteOfDay % 60} ${Math.floor(minuteOfDay / 60)} ? * ${ordered.join(",")} *)`;
}

/**
 * One schedule pair per window. The wake-up runs on the days the window's periods end (the day after each start for
 * `07:00`, the named day for `MON 07:00`), at the end's wall-clock time, so both follow the time zone's clock changes.
 */
export function hibernationSchedules(hibernation: HibernationConfig): WindowSchedule[] {
  return hibernation.windows.map((window, i) => {
    const periods = windowPeriods(window, i);
    return {
      window: i,
      hibernate: cron(
        periods[0].start % MINUTES_PER_DAY,
        periods.map((p) => p.day),
      ),
      wake: cron(
        periods[0].end % MINUTES_PER_DAY,
        periods.map((p) => dayAt(p.end)),
      ),
    };
  });
}

/**
 * Wall-clock hours per week the configured windows hibernate the environment: the sum of their periods. (A
 * daylight-saving change makes one night an hour longer or shorter twice a year; the estimate ignores it.)
 */
export function hibernatedHoursPerWeek(hibernation: HibernationConfig | undefined): number {
  if (!hibernation) return 0;
  return hibernationPeriods(hibernation).reduce((sum, p) => sum + (p.end - p.start), 0) / 60;
}

const describePeriod = (p: HibernationPeriod, hibernation: HibernationConfig): string =>
  `hibernation.windows[${p.window}] (${p.day} ${hibernation.windows[p.window].start} until ${dayAt(p.end)} ${hibernation.windows[p.window].end.slice(-5)})`;

/** Whether minute `at` of the week falls inside `p` (periods wrap around the week's end). */
function inside(at: number, p: HibernationPeriod): boolean {
  return (((at - p.start) % MINUTES_PER_WEEK) + MINUTES_PER_WEEK) % MINUTES_PER_WEEK < p.end - p.start;
}

/** A time zone the platform's ICU knows (EventBridge Scheduler takes the same IANA names). */
function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** Hibernation is for non-production environments, in a real time zone, with windows of at least an hour that neither overlap nor touch. */
export function checkHibernation(config: EnvironmentConfig, report: (issue: FieldIssue) => void): void {
  const { hibernation } = config;
  if (!hibernation) return;
  if (config.production) {
    report({
      path: "hibernation",
      value: hibernation,
      problem: "is not allowed in a production environment; expected no hibernation (production runs around the clock; only non-production environments sleep)",
    });
  }
  if (!isTimeZone(hibernation.timezone)) {
    report({ path: "hibernation.timezone", value: hibernation.timezone, problem: "is not a time zone; expected an IANA name such as Europe/Amsterdam or UTC" });
  }
  hibernation.windows.forEach((window, i) => {
    if (new Set(window.days).size !== window.days.length) {
      report({ path: `hibernation.windows[${i}].days`, value: window.days, problem: "repeats a day; expected each day once" });
    }
  });
  const periods = hibernationPeriods(hibernation);
  for (const p of periods) {
    if (p.end - p.start < MIN_WINDOW_MINUTES) {
      report({
        path: `hibernation.windows[${p.window}].end`,
        value: hibernation.windows[p.window].end,
        problem: `ends ${p.end - p.start} minutes after the window starts on ${p.day}; expected at least ${MIN_WINDOW_MINUTES} minutes of hibernation`,
      });
    }
  }
  for (let a = 0; a < periods.length; a++) {
    for (let b = a + 1; b < periods.length; b++) {
      const [first, second] = [periods[a], periods[b]];
      const overlapping = inside(second.start, first) || inside(first.start, second);
      const touching =
        !overlapping && (second.start % MINUTES_PER_WEEK === first.end % MINUTES_PER_WEEK || first.start % MINUTES_PER_WEEK === second.end % MINUTES_PER_WEEK);
      if (overlapping || touching) {
        report({
          path: `hibernation.windows[${second.window}]`,
          value: hibernation.windows[second.window],
          problem: `${describePeriod(second, hibernation)} ${overlapping ? "overlaps" : "starts or ends the moment another ends or starts:"} ${describePeriod(first, hibernation)}; expected separate windows (merge touching ones into one)`,
        });
      }
    }
  }
}
