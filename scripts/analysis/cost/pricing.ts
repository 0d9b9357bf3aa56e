/** What every resource family of the cost estimate shares: the line item, the price lookup and the stack in scope. */
import type { EnvironmentModel, ResourceRef } from "../model";
import type { PriceTable } from "../prices-eu-west-1";
import { AnalysisInputError, type SynthStack } from "../synthesized";

export interface LineItem {
  readonly item: string;
  readonly resourceType: string;
  /** Steady-state quantity of the billed unit (instances, gateways, endpoint-AZs, GB, ...). */
  readonly quantity: number;
  readonly monthly: number;
  readonly monthlyAtMax: number;
  /** The computation with the table's prices, e.g. `3 × $0.048/h × 730 h`. */
  readonly basis: string;
  /** Stops while the environment hibernates (container instances, Fargate tasks, RDS instance hours). */
  readonly hibernates?: true;
}

/** A size or kind the price table has no price for. */
export class MissingPriceError extends AnalysisInputError {
  constructor(message: string) {
    super(message);
    this.name = "MissingPriceError";
  }
}

export const round = (n: number): number => Math.round(n * 100) / 100;
export const usd = (n: number): string => `$${String(n)}`;
export const counted = (n: number, singular: string, plural = `${singular}s`): string => `${n} ${n === 1 ? singular : plural}`;
export const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

/** One stack being priced, with the table and shorthands for its resources. */
export interface CostScope {
  readonly model: EnvironmentModel;
  readonly stack: SynthStack;
  readonly table: PriceTable;
  /** Hours per month of the table. */
  readonly hours: number;
  /** The stack's resources of one type. */
  readonly of: (type: string) => ResourceRef[];
  /** A resource's attribute, references resolved to literals where possible. */
  readonly literal: (resource: ResourceRef, attribute: string) => unknown;
}

export function costScope(model: EnvironmentModel, stack: SynthStack, table: PriceTable): CostScope {
  return {
    model,
    stack,
    table,
    hours: table.hoursPerMonth,
    of: (type) => model.resources(type, [stack]),
    literal: (resource, attribute) => model.literal(resource.stack, resource.body[attribute]),
  };
}

/** A resource family's line items for one stack, in the order they are listed. */
export type CostFamily = (scope: CostScope) => LineItem[];

/** A line item that costs the same at steady state and at max; none when the quantity is zero. */
export function fixed(item: string, resourceType: string, quantity: number, monthly: number, basis: string): LineItem[] {
  return quantity > 0 ? [{ item, resourceType, quantity, monthly, monthlyAtMax: monthly, basis }] : [];
}

/** The hourly price of `size`, or an error naming the resource and the list of the table to add it to. */
export function lookup(table: PriceTable, prices: Readonly<Record<string, number>>, kind: string, listName: string, size: string, where: ResourceRef): number {
  const price = prices[size];
  if (price === undefined) {
    throw new MissingPriceError(
      `unknown ${kind} "${size}" (${where.type}.${where.name} in ${where.stack}): no ${table.region} price in ${table.file}; add its on-demand hourly list price to ${listName} there`,
    );
  }
  return price;
}
