import * as fs from "fs";
import * as path from "path";
import { hibernatedHoursPerWeek, hibernationPeriods, hibernationSchedules } from "../../config/hibernation";
import { ConfigError, ENVIRONMENTS_DIR, parseEnvironment } from "../../config/load";
import type { HibernationConfig } from "../../config/schema";

const file = (name: string): Record<string, any> => JSON.parse(fs.readFileSync(path.join(ENVIRONMENTS_DIR, `${name}.json`), "utf8"));

function problems(raw: Record<string, any>): string[] {
  try {
    parseEnvironment(`config/environments/${raw.name}.json`, JSON.stringify(raw));
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.map((p) => p.replace(/^config\/environments\/\w+\.json: environment "\w+": /, ""));
  }
}
const withWindows = (windows: unknown[], timezone = "Europe/Amsterdam") => ({ ...file("dev"), hibernation: { timezone, windows } });
const config = (windows: HibernationConfig["windows"]): HibernationConfig => ({ timezone: "UTC", windows });

describe("hibernation windows", () => {
  it("dev: weeknights and the weekend become two schedule pairs in Amsterdam time, 103 hours a week", () => {
    // GIVEN dev's windows (MON-THU 20:00 until 07:00, FRI 20:00 until MON 07:00)
    const dev = parseEnvironment("config/environments/dev.json", JSON.stringify(file("dev"))).hibernation!;
    // WHEN turned into schedules THEN the weeknights wake on the following mornings and the weekend on Monday
    expect(dev.timezone).toBe("Europe/Amsterdam");
    expect(hibernationSchedules(dev)).toEqual([
      { window: 0, hibernate: "cron(0 20 ? * MON,TUE,WED,THU *)", wake: "cron(0 7 ? * TUE,WED,THU,FRI *)" },
      { window: 1, hibernate: "cron(0 20 ? * FRI *)", wake: "cron(0 7 ? * MON *)" },
    ]);
    // AND 4 nights × 11 h + 59 h of weekend = 103 h of the week's 168
    expect(hibernatedHoursPerWeek(dev)).toBe(103);
  });

  it("wraps a window that starts on Sunday evening into Monday, and keeps minutes", () => {
    const sunday = config([{ days: ["SUN"], start: "22:30", end: "06:15" }]);
    expect(hibernationSchedules(sunday)).toEqual([{ window: 0, hibernate: "cron(30 22 ? * SUN *)", wake: "cron(15 6 ? * MON *)" }]);
    expect(hibernatedHoursPerWeek(sunday)).toBe(7.75);
    expect(hibernationPeriods(sunday)[0]).toMatchObject({ day: "SUN", start: 6 * 1440 + 22 * 60 + 30, end: 7 * 1440 + 6 * 60 + 15 });
  });

  it("ends a same-day window the same day, and none at all for an environment without hibernation", () => {
    expect(hibernationSchedules(config([{ days: ["SAT"], start: "08:00", end: "18:00" }]))[0].wake).toBe("cron(0 18 ? * SAT *)");
    expect(hibernatedHoursPerWeek(undefined)).toBe(0);
  });

  it("accepts every repository environment, none of the production ones hibernating", () => {
    for (const name of ["dev", "test", "uat", "prod"]) expect(problems(file(name))).toEqual([]);
  });

  it("refuses hibernation in production", () => {
    const found = problems({ ...file("prod"), hibernation: { windows: [{ days: ["SAT"], start: "00:00", end: "12:00" }] } });
    expect(found).toEqual([
      expect.stringMatching(
        /^hibernation = .* is not allowed in a production environment; expected no hibernation \(production runs around the clock; only non-production environments sleep\)$/,
      ),
    ]);
  });

  it("refuses an unknown time zone, and a time or day the Scheduler cannot take", () => {
    expect(problems(withWindows([{ days: ["MON"], start: "20:00", end: "07:00" }], "Europe/Atlantis"))).toEqual([
      'hibernation.timezone = "Europe/Atlantis" is not a time zone; expected an IANA name such as Europe/Amsterdam or UTC',
    ]);
    expect(problems(withWindows([{ days: ["MONDAY"], start: "24:00", end: "Mon 7:00" }]))).toEqual([
      'hibernation.windows[0].days[0] = "MONDAY" is not allowed; expected "MON", "TUE", "WED", "THU", "FRI", "SAT" or "SUN"',
      'hibernation.windows[0].start = "24:00" is not allowed; expected a time HH:MM (24-hour)',
      'hibernation.windows[0].end = "Mon 7:00" is not allowed; expected a time HH:MM, optionally after a day: MON 07:00',
    ]);
  });

  it("refuses overlapping and touching windows, naming both", () => {
    // GIVEN weeknights until 07:00 and a Tuesday window from 06:00 (overlap), and a weekend starting as Friday's night ends
    const found = problems(
      withWindows([
        { days: ["MON", "TUE"], start: "20:00", end: "07:00" },
        { days: ["TUE"], start: "06:00", end: "09:00" },
        { days: ["WED"], start: "07:00", end: "FRI 07:00" },
      ]),
    );
    expect(found).toEqual([
      'hibernation.windows[1] = {"days":["TUE"],"start":"06:00","end":"09:00"} hibernation.windows[1] (TUE 06:00 until TUE 09:00) overlaps hibernation.windows[0] (MON 20:00 until TUE 07:00); expected separate windows (merge touching ones into one)',
      'hibernation.windows[2] = {"days":["WED"],"start":"07:00","end":"FRI 07:00"} hibernation.windows[2] (WED 07:00 until FRI 07:00) starts or ends the moment another ends or starts: hibernation.windows[0] (TUE 20:00 until WED 07:00); expected separate windows (merge touching ones into one)',
    ]);
  });

  it("refuses windows shorter than an hour and repeated days", () => {
    const found = problems(withWindows([{ days: ["SAT", "SAT"], start: "10:00", end: "10:30" }]));
    expect(found).toEqual([
      'hibernation.windows[0].days = ["SAT","SAT"] repeats a day; expected each day once',
      'hibernation.windows[0].end = "10:30" ends 30 minutes after the window starts on SAT; expected at least 60 minutes of hibernation',
    ]);
  });
});
