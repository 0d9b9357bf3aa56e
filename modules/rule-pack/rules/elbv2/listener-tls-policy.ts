import { defineRule } from "../../rule";
import { literalString, show } from "../../values";
import { LISTENER_TYPES } from "./load-balancer";

/** ELB security policies that accept TLS 1.2 and newer only (TLS13-1-2/1-3, TLS-1-2, FS-1-2 families, FIPS and PQ variants). */
export const TLS12_POLICY = /^ELBSecurityPolicy-(TLS13-1-[23]|TLS-1-2|FS-1-2)(-|$)/;

/** Checkov CKV_AWS_103 and CKV2_AWS_74 (Trivy AVD-AWS-0047). */
export const listenerTlsPolicy = defineRule({
  id: "CKV_AWS_103",
  aliases: ["CKV2_AWS_74", "AVD-AWS-0047"],
  title: "TLS 1.2+ listener policy",
  rationale: "TLS 1.0/1.1 and their weak ciphers are broken; the default ELBSecurityPolicy-2016-08 still accepts them.",
  resourceTypes: LISTENER_TYPES,
  check: (listener) => {
    const protocol = literalString(listener.get("protocol"));
    if (protocol !== "HTTPS" && protocol !== "TLS") return undefined;
    const raw = listener.get("ssl_policy");
    const policy = literalString(raw);
    if (policy !== undefined && TLS12_POLICY.test(policy)) return undefined;
    const found = raw === undefined ? "not set (the default ELBSecurityPolicy-2016-08 accepts TLS 1.0)" : show(raw);
    return `ssl_policy is ${found}; use a TLS 1.2+ policy such as ELBSecurityPolicy-TLS13-1-2-2021-06`;
  },
});
