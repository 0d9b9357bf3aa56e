/** What every tier analyzer of the single-AZ failure analysis reads: the model, its network and its ECS services. */
import { ecsServices, type EcsServiceFacts } from "../ecs-services";
import type { EnvironmentModel, SubnetRef } from "../model";
import { NetworkFacts } from "../network-facts";
import { list } from "./verdict";

/** Why a replacement cannot start in any surviving AZ of `subnets` (undefined when it can). */
export type StartBlocked = (subnets: readonly SubnetRef[], needs: readonly string[], lostAz: string) => string | undefined;

export interface AzContext {
  readonly model: EnvironmentModel;
  readonly network: NetworkFacts;
  /** The environment's AZs, each of which is lost in turn. */
  readonly azs: readonly string[];
  readonly services: readonly EcsServiceFacts[];
  readonly startBlocked: StartBlocked;
}

export function azContext(model: EnvironmentModel): AzContext {
  const network = new NetworkFacts(model);
  const startBlocked: StartBlocked = (subnets, needs, lostAz) => {
    const survivors = subnets.filter((s) => s.az !== lostAz);
    if (survivors.length === 0) return `it has no subnet outside ${lostAz}`;
    if (survivors.some((s) => network.unreachable(s.address, needs, lostAz).length === 0)) return undefined;
    const missing = network.unreachable(survivors[0].address, needs, lostAz);
    const nat = network.routingOf(survivors[0].address)?.defaultRoute;
    const via = nat?.kind === "nat" ? `only through the NAT gateway in ${nat.natAz ?? "an unknown AZ"}` : "through no route";
    return `${list(missing)} ${missing.length === 1 ? "is" : "are"} reachable from ${survivors[0].az} ${via}`;
  };
  return { model, network, azs: network.availabilityZones, services: ecsServices(model), startBlocked };
}

/** The name without its `<prefix>-<environment>-` part, e.g. `bastion`. */
export function shortNameOf(name: string, environment: string): string {
  const marker = `-${environment}-`;
  const at = name.indexOf(marker);
  return at >= 0 ? name.slice(at + marker.length) : name;
}
