/** The entry point: Application Load Balancers (hourly, assumed LCUs, public IPv4 of internet-facing nodes) and WAF web ACLs. */
import { isTrue, type ResourceRef } from "../model";
import { fixed, MissingPriceError, usd, type CostScope, type LineItem } from "./pricing";

export function loadBalancingItems(scope: CostScope): LineItem[] {
  return [...scope.of("aws_lb").flatMap((lb) => albItems(scope, lb)), ...scope.of("aws_wafv2_web_acl").flatMap((acl) => webAclItems(scope, acl))];
}

function albItems({ model, table: t, hours: H, literal }: CostScope, lb: ResourceRef): LineItem[] {
  const kind = String(literal(lb, "load_balancer_type") ?? "application");
  if (kind !== "application")
    throw new MissingPriceError(`unknown load balancer type "${kind}" (aws_lb.${lb.name} in ${lb.stack}): ${t.file} prices Application Load Balancers only`);
  const name = String(literal(lb, "name") ?? lb.name);
  const items = [
    ...fixed(`ALB ${name} (hourly)`, "aws_lb", 1, t.albHourly * H, `1 × ${usd(t.albHourly)}/h × ${H} h`),
    ...fixed(
      `ALB ${name} LCUs (assumed ${t.usage.albLcu} LCU)`,
      "aws_lb",
      t.usage.albLcu,
      t.usage.albLcu * t.albLcuHourly * H,
      `${t.usage.albLcu} × ${usd(t.albLcuHourly)}/LCU-h × ${H} h`,
    ),
  ];
  if (isTrue(literal(lb, "internal"))) return items;
  const nodes = model.resolve(lb.stack, lb.body.subnets ?? []).length;
  return [
    ...items,
    ...fixed(
      `ALB ${name} public IPv4 addresses (internet-facing, one per AZ)`,
      "aws_lb",
      nodes,
      nodes * t.publicIpv4Hourly * H,
      `${nodes} × ${usd(t.publicIpv4Hourly)}/h × ${H} h`,
    ),
  ];
}

function webAclItems({ table: t, literal }: CostScope, acl: ResourceRef): LineItem[] {
  const rules =
    typeof acl.body.rule_json === "string" ? (JSON.parse(acl.body.rule_json) as unknown[]).length : Array.isArray(acl.body.rule) ? acl.body.rule.length : 0;
  const monthly = t.wafWebAclMonth + rules * t.wafRuleMonth + t.usage.wafMillionRequests * t.wafMillionRequests;
  return fixed(
    `WAF web ACL ${String(literal(acl, "name") ?? acl.name)} (${rules} rules, assumed ${t.usage.wafMillionRequests}M requests)`,
    "aws_wafv2_web_acl",
    1,
    monthly,
    `${usd(t.wafWebAclMonth)} + ${rules} × ${usd(t.wafRuleMonth)} + ${t.usage.wafMillionRequests} × ${usd(t.wafMillionRequests)}/M requests`,
  );
}
