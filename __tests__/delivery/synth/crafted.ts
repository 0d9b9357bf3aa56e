/** The crafted synth outputs (__tests__/delivery/fixtures/synth: base and head), their diff and its Markdown. */
import * as path from "path";
import { readSynthOutput } from "../../../scripts/synth/blocks";
import { diffSynthOutputs } from "../../../scripts/synth/diff";
import { renderSynthDiff } from "../../../scripts/synth/render";

export const FIXTURES = path.join(__dirname, "..", "fixtures", "synth");
export const BASE = path.join(FIXTURES, "base");
export const HEAD = path.join(FIXTURES, "head");

export const CRAFTED_DIFF = diffSynthOutputs(readSynthOutput(BASE), readSynthOutput(HEAD)!);
export const CRAFTED_SUMMARY = renderSynthDiff(CRAFTED_DIFF);

/** The Markdown lines of one stack's details block. */
export function detailsOf(markdown: string, stack: string): string[] {
  const start = markdown.indexOf(`<details><summary><b>${stack}</b>`);
  if (start < 0) throw new Error(`no details for ${stack}`);
  return markdown.slice(start, markdown.indexOf("</details>", start)).split("\n").slice(2).filter(Boolean);
}
