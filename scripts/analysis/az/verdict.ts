/**
 * Verdicts of the single-AZ failure analysis, and how the outcomes of losing each AZ combine into a tier's verdict.
 * See ../az-failure.ts for what each verdict means.
 */

export type Verdict = "serving" | "degraded" | "outage";

export const VERDICTS: Readonly<Record<Verdict, string>> = {
  serving: "keeps serving through the loss of any one AZ (capacity already running in another AZ, at most an automatic failover of about 1-2 minutes)",
  degraded: "stops or loses capacity, then recovers by itself within minutes (ECS or the Auto Scaling group starts a replacement in a surviving AZ)",
  outage: "down until the AZ returns or an operator restores it",
};

const RANK: Readonly<Record<Verdict, number>> = { serving: 0, degraded: 1, outage: 2 };

export interface TierResult {
  /** Stable id, e.g. `egress`, `alb`, `api-server`, `worker-default`, `rds`, `redis`, `efs`, `ecs-capacity`, `bastion`. */
  readonly id: string;
  /** Human-readable tier name. */
  readonly tier: string;
  /** On the serving path (false: operator tools such as the bastion and Flower). */
  readonly critical: boolean;
  /** The worst verdict over the loss of each AZ. */
  readonly verdict: Verdict;
  readonly why: string;
  /** Verdict per lost AZ. */
  readonly byAz: Readonly<Record<string, Verdict>>;
}

/** The outcome of losing one AZ. */
export interface Outcome {
  readonly verdict: Verdict;
  readonly why: string;
}

/** A tier's verdict over every AZ, before it is named. */
export type TierVerdict = Pick<TierResult, "verdict" | "why"> & { readonly byAz: Record<string, Verdict> };

export const list = (values: readonly string[]): string => (values.length === 0 ? "none" : values.join(", "));
export const plural = (n: number, word: string, words = `${word}s`): string => `${n} ${n === 1 ? word : words}`;

/** Combines the outcomes per lost AZ: the worst verdict, explained by the first AZ that produces it. */
export function combine(azs: readonly string[], outcome: (lostAz: string) => Outcome): TierVerdict {
  const outcomes = azs.map((az) => ({ az, ...outcome(az) }));
  const byAz = Object.fromEntries(outcomes.map((o) => [o.az, o.verdict]));
  const worst = outcomes.reduce((a, b) => (RANK[b.verdict] > RANK[a.verdict] ? b : a), outcomes[0] ?? { az: "", verdict: "serving" as Verdict, why: "no AZs" });
  return { verdict: worst.verdict, why: worst.why, byAz };
}

/** The same verdict whichever AZ is lost. */
export function uniform(azs: readonly string[], verdict: Verdict, why: string): TierVerdict {
  return { verdict, why, byAz: Object.fromEntries(azs.map((az) => [az, verdict])) };
}

/** Names a tier's verdict. */
export function tier(id: string, name: string, critical: boolean, verdict: TierVerdict): TierResult {
  return { id, tier: name, critical, ...verdict };
}
