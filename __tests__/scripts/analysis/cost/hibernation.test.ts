import { hibernatedMinutes, weeklyFirings } from "../../../../scripts/analysis/cost/hibernation";
import { renderCostReport } from "../../../../scripts/analysis/cost/render";
import { item, report } from "./reports";

describe("hibernation in the cost estimate", () => {
  it("dev: its schedules hibernate 103 h a week, saving that share of what stops", () => {
    // GIVEN dev's schedules (MON-THU 20:00-07:00, FRI 20:00-MON 07:00) and what stops while hibernating
    const dev = report("dev");
    const stops = [
      item(dev, "dev-compute", "EC2 m7i.large (ASG airflow-dev-ec2").monthly,
      item(dev, "dev-compute", "EBS gp3 (ASG airflow-dev-ec2:").monthly,
      item(dev, "dev-services", "Fargate Spot worker-default").monthly,
      item(dev, "dev-storage", "RDS PostgreSQL").monthly,
    ];
    // THEN 103 / 168 of $82.05 + $3.52 + $11.89 + $24.82 = $122.28 is saved: $74.97, leaving $203.39 of $278.36
    expect(stops).toEqual([82.05, 3.52, 11.89, 24.82]);
    expect(dev.hibernation).toMatchObject({ hoursPerWeek: 103, share: 0.6131, stoppable: 122.28, monthlySaving: 74.97, monthlyWithHibernation: 203.39 });
    expect(dev.hibernation!.schedules).toContainEqual({ action: "wake", expression: "cron(0 7 ? * MON *)", timezone: "Europe/Amsterdam" });
    // AND the RDS storage keeps billing
    expect(item(dev, "dev-storage", "RDS storage").hibernates).toBeUndefined();
    // AND the Markdown says so under the totals
    expect(renderCostReport(dev)).toContain("103 h a week (61.3% of the time)");
    expect(renderCostReport(dev)).toContain("hibernation saves about **$74.97** a month: **$203.39** instead of $278.36");
  });

  it("prod never hibernates: no estimate, no paragraph", () => {
    expect(report("prod").hibernation).toBeUndefined();
    expect(renderCostReport(report("prod"))).not.toContain("**Hibernation**");
  });

  it("counts the minutes from each hibernate firing to the next wake-up, around the end of the week", () => {
    // GIVEN Sunday 22:00 to Monday 06:00 and Wednesday 12:00 to 13:30
    const firings = [
      { at: weeklyFirings("cron(0 22 ? * SUN *)", "x")[0], action: "hibernate" },
      { at: weeklyFirings("cron(0 6 ? * MON *)", "x")[0], action: "wake" },
      { at: weeklyFirings("cron(0 12 ? * WED *)", "x")[0], action: "hibernate" },
      { at: weeklyFirings("cron(30 13 ? * WED *)", "x")[0], action: "wake" },
    ];
    expect(hibernatedMinutes(firings)).toBe(8 * 60 + 90);
    expect(weeklyFirings("cron(15 7 ? * TUE,FRI *)", "x")).toEqual([1440 + 435, 4 * 1440 + 435]);
  });

  it("refuses a schedule it cannot read, naming it", () => {
    expect(() => weeklyFirings("rate(1 day)", "aws_scheduler_schedule.x in dev-services")).toThrow(
      'cannot read the schedule "rate(1 day)" of aws_scheduler_schedule.x in dev-services: the cost estimate reads cron(<minute> <hour> ? * <DAY,...> *) only',
    );
  });
});
