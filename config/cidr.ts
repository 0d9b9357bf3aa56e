/**
 * IPv4 CIDR arithmetic used to carve and check subnet layouts before anything is synthesized. Kept over ipaddr.js: it
 * would add ~5 ms to every synth's load yet has no cidrsubnet or overlap arithmetic (only the parser would go), and
 * its parser reads `010.0.0.0` as octal 8.0.0.0.
 */

export interface Ipv4Cidr {
  /** Network address as an unsigned 32-bit integer. */
  readonly network: number;
  readonly prefix: number;
}

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses `a.b.c.d/n`; returns undefined for anything else, including host bits set (`10.0.0.1/16`). */
export function parseCidr(text: string): Ipv4Cidr | undefined {
  const match = CIDR_PATTERN.exec(text);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const address = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  if ((address & ~maskOf(prefix)) >>> 0 !== 0) return undefined;
  return { network: address, prefix };
}

export function formatCidr(cidr: Ipv4Cidr): string {
  const a = cidr.network;
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}/${cidr.prefix}`;
}

function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

function sizeOf(cidr: Ipv4Cidr): number {
  return 2 ** (32 - cidr.prefix);
}

/** Like Terraform's `cidrsubnet(base, newbits, index)`. */
export function subnetOf(base: Ipv4Cidr, newbits: number, index: number): Ipv4Cidr {
  const prefix = base.prefix + newbits;
  if (prefix > 32) throw new RangeError(`cannot add ${newbits} bits to /${base.prefix}`);
  if (index < 0 || index >= 2 ** newbits) throw new RangeError(`index ${index} out of range for ${newbits} new bits`);
  return { network: (base.network + index * 2 ** (32 - prefix)) >>> 0, prefix };
}

export function contains(outer: Ipv4Cidr, inner: Ipv4Cidr): boolean {
  return inner.prefix >= outer.prefix && (inner.network & maskOf(outer.prefix)) >>> 0 === outer.network;
}

export function overlaps(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  return a.network < b.network + sizeOf(b) && b.network < a.network + sizeOf(a);
}

/**
 * Default subnet layout: private subnets take the first `azCount` blocks of prefix+3 (a /16 gives /19s, room for
 * many awsvpc task ENIs), public subnets take prefix+6 blocks inside the last prefix+3 block (a /16 gives /22s).
 * Supports up to 7 AZs, more than any region has.
 */
export function carveSubnets(vpc: Ipv4Cidr, azCount: number): { public: string[]; private: string[] } {
  const lastBlock = subnetOf(vpc, 3, 7);
  const range = Array.from({ length: azCount }, (_, i) => i);
  return {
    private: range.map((i) => formatCidr(subnetOf(vpc, 3, i))),
    public: range.map((i) => formatCidr(subnetOf(lastBlock, 3, i))),
  };
}
