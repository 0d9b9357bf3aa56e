/**
 * What validation needs to know about EC2 instance types and Fargate task sizes.
 *
 * The catalog covers the families these defaults use and their common neighbours; an instance type outside it is
 * still accepted (the pattern check applies), only the "task fits on the host" check is skipped for it.
 */

export interface InstanceShape {
  readonly vcpu: number;
  readonly memoryMiB: number;
}

const SIZES: Readonly<Record<string, number>> = { medium: 1, large: 2, xlarge: 4, "2xlarge": 8, "4xlarge": 16, "8xlarge": 32 };
/** GiB of memory per vCPU for each family. */
const FAMILIES: Readonly<Record<string, number>> = {
  m5: 4,
  m6i: 4,
  m6a: 4,
  m7i: 4,
  m7a: 4,
  m8i: 4,
  c5: 2,
  c6i: 2,
  c6a: 2,
  c7i: 2,
  c7a: 2,
  r5: 8,
  r6i: 8,
  r6a: 8,
  r7i: 8,
  r7a: 8,
};
const BURSTABLE: Readonly<Record<string, InstanceShape>> = {
  "t3.micro": { vcpu: 2, memoryMiB: 1024 },
  "t3.small": { vcpu: 2, memoryMiB: 2048 },
  "t3.medium": { vcpu: 2, memoryMiB: 4096 },
  "t3.large": { vcpu: 2, memoryMiB: 8192 },
  "t3.xlarge": { vcpu: 4, memoryMiB: 16384 },
  "t3.2xlarge": { vcpu: 8, memoryMiB: 32768 },
};

export function instanceShape(instanceType: string): InstanceShape | undefined {
  if (instanceType in BURSTABLE) return BURSTABLE[instanceType];
  const [family, size] = instanceType.split(".");
  const perVcpu = FAMILIES[family];
  const vcpu = SIZES[size];
  if (perVcpu === undefined || vcpu === undefined || (size === "medium" && family.startsWith("m"))) return undefined;
  return { vcpu, memoryMiB: vcpu * perVcpu * 1024 };
}

/** Graviton families (`m7g`, `t4g`, `c7gn`, ...) are arm64; everything else here is x86_64. */
export function instanceArchitecture(instanceType: string): "arm64" | "x86_64" {
  return /^[a-z]+\d+g[a-z]*\./.test(instanceType) ? "arm64" : "x86_64";
}

/**
 * Memory the ECS agent and the OS keep on a container instance, so a task must fit in the rest. ECS itself reports
 * roughly 6-8% less than the nominal size; 10% plus the `ECS_RESERVED_MEMORY` we set keeps the check conservative.
 */
export const ECS_RESERVED_MEMORY_MIB = 256;

export function schedulableMemoryMiB(shape: InstanceShape): number {
  return Math.floor(shape.memoryMiB * 0.9) - ECS_RESERVED_MEMORY_MIB;
}

/** Memory kept per container instance for the cAdvisor task that runs on every host. */
export const CADVISOR_TASK_SIZE = { cpu: 128, memory: 256 } as const;

/**
 * Why a task of `size` does not fit on an `instanceType` host next to cAdvisor (memory and CPU problems, each a
 * sentence tail for "<path>.memory = <value> ..."); none when it fits or the type is not in the catalog.
 */
export function taskFitProblems(instanceType: string, size: { readonly cpu: number; readonly memory: number }): { memory?: string; cpu?: string } {
  const shape = instanceShape(instanceType);
  if (!shape) return {};
  const hostMemory = schedulableMemoryMiB(shape) - CADVISOR_TASK_SIZE.memory;
  return {
    memory:
      size.memory > hostMemory ? `does not fit on a ${instanceType} host (about ${hostMemory} MiB schedulable); expected at most ${hostMemory}` : undefined,
    cpu: size.cpu > shape.vcpu * 1024 ? `exceeds the ${shape.vcpu * 1024} CPU units of a ${instanceType} host` : undefined,
  };
}

/** Fargate's allowed memory (MiB) per CPU value. */
const FARGATE_SIZES: ReadonlyArray<readonly [number, number, number, number]> = [
  // cpu, min memory, max memory, step
  [256, 512, 2048, 512],
  [512, 1024, 4096, 1024],
  [1024, 2048, 8192, 1024],
  [2048, 4096, 16384, 1024],
  [4096, 8192, 30720, 1024],
  [8192, 16384, 61440, 4096],
  [16384, 32768, 122880, 8192],
];

export function isValidFargateSize(cpu: number, memory: number): boolean {
  const row = FARGATE_SIZES.find(([c]) => c === cpu);
  if (!row) return false;
  const [, min, max, step] = row;
  if (cpu === 256) return memory === 512 || memory === 1024 || memory === 2048;
  return memory >= min && memory <= max && (memory - min) % step === 0;
}

export function describeFargateSizes(): string {
  return FARGATE_SIZES.map(([cpu, min, max, step]) => (cpu === 256 ? "cpu 256: 512/1024/2048" : `cpu ${cpu}: ${min}-${max} in steps of ${step}`)).join("; ");
}
