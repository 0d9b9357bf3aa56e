import type { Contract, StackKind } from "../../modules/core/contract";
import { iamContract } from "./iam";
import { networkContract } from "./network";
import { storageContract } from "./storage";

/** Every stack's contract, by stack kind: the harness, docs and order tools read them from here. */
export const CONTRACTS: Readonly<Partial<Record<StackKind, Contract>>> = {
  network: networkContract,
  storage: storageContract,
  iam: iamContract,
};
