import type { Contract, StackKind } from "../../modules/core/contract";
import { computeContract } from "./compute";
import { iamContract } from "./iam";
import { networkContract } from "./network";
import { servicesContract } from "./services";
import { storageContract } from "./storage";

/** Every stack's contract, by stack kind: the harness, docs and order tools read them from here. */
export const CONTRACTS: Readonly<Partial<Record<StackKind, Contract>>> = {
  network: networkContract,
  storage: storageContract,
  iam: iamContract,
  compute: computeContract,
  services: servicesContract,
};
