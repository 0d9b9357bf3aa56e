import type { Contract, StackKind } from "../../modules/core/contract";
import { networkContract } from "./network";

/** Every stack's contract, by stack kind: the harness, docs and order tools read them from here. */
export const CONTRACTS: Readonly<Partial<Record<StackKind, Contract>>> = {
  network: networkContract,
};
