/** Non-production hibernation: weekly windows during which the environment is scaled to zero and its database stopped. */
import { list, obj, oneOf, str } from "./language";

/** Days of the week as EventBridge Scheduler's cron expressions name them, Monday first. */
export const WEEKDAYS = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"] as const;

const TIME = "([01]\\d|2[0-3]):[0-5]\\d";

export const hibernation = obj(
  {
    timezone: str("an IANA time zone such as Europe/Amsterdam or UTC", {
      pattern: /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/,
      default: "UTC",
      doc: "Time zone of the windows' wall-clock times (EventBridge Scheduler follows its daylight-saving changes).",
    }),
    windows: list(
      obj({
        days: list(oneOf(WEEKDAYS), 1, 7, { doc: 'Days the window starts on, e.g. `["MON", "TUE", "WED", "THU"]`.' }),
        start: str("a time HH:MM (24-hour)", { pattern: new RegExp(`^${TIME}$`), doc: "Wall-clock time the environment starts hibernating, e.g. `20:00`." }),
        end: str("a time HH:MM, optionally after a day: MON 07:00", {
          pattern: new RegExp(`^((${WEEKDAYS.join("|")}) )?${TIME}$`),
          doc: "When it wakes up: the first `HH:MM` after the start (`07:00`: the next morning), or the first `DAY HH:MM` after it (`MON 07:00`: a weekend).",
        }),
      }),
      1,
      14,
      { doc: "Weekly windows, none overlapping another." },
    ),
  },
  {
    optional: true,
    doc: 'Scale every ECS service and both Auto Scaling groups to zero and stop the database during weekly windows, and wake up in order at their end (EventBridge Scheduler and a Step Functions state machine; `npm run hibernate` / `npm run wake` on demand). Refused in production. See README "Hibernation" for what keeps running and costing.',
  },
);
