/**
 * Runs the hibernation state machine's definition the way Step Functions would, for the subset of the States
 * Language it uses (Pass, Choice, Task, Wait, Succeed, Fail; Parameters, ResultSelector, ResultPath, Catch), with
 * the Lambda task calling the real step code against mocked AWS clients and a clock each Wait advances.
 */
import { runStep } from "../../../lambda/hibernation";
import type { HibernationClients } from "../../../lambda/hibernation/clients";
import type { StepRequest } from "../../../runtime/hibernation";

type Json = any;

export interface Run {
  /** Every state entered, in order. */
  readonly states: string[];
  /** `lambda:<step>` or `sdk:<service:action> <Name>` for every task, in order. */
  readonly tasks: string[];
  /** The end state and its type. */
  readonly end: { readonly state: string; readonly type: "Succeed" | "Fail"; readonly error?: string };
  readonly minutes: number;
}

function get(data: Json, path: string, context: Json): Json {
  const [root, ...parts] = path.split(".");
  let value = root === "$$" ? context : data;
  for (const part of parts) value = value?.[part];
  return value;
}

function set(data: Json, path: string | null | undefined, value: Json): Json {
  if (path === null) return data;
  if (path === undefined || path === "$") return value;
  const parts = path.split(".").slice(1);
  const copy = structuredClone(data);
  let at = copy;
  for (const part of parts.slice(0, -1)) at = at[part] ??= {};
  at[parts[parts.length - 1]] = value;
  return copy;
}

/** Parameters / ResultSelector: keys ending in `.$` take the value at their path. */
function template(value: Json, data: Json, context: Json): Json {
  if (Array.isArray(value)) return value.map((v) => template(v, data, context));
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => (key.endsWith(".$") ? [key.slice(0, -2), get(data, v as string, context)] : [key, template(v, data, context)])),
  );
}

export async function interpret(definition: Json, input: Json, clients: HibernationClients, start: Date, maxStates = 500): Promise<Run> {
  const states: string[] = [];
  const tasks: string[] = [];
  let clock = start.getTime();
  let name: string = definition.StartAt;
  let data = input;
  for (let n = 0; n < maxStates; n++) {
    const state = definition.States[name];
    if (!state) throw new Error(`no state "${name}"`);
    states.push(name);
    const context = { State: { EnteredTime: new Date(clock).toISOString(), Name: name } };
    switch (state.Type) {
      case "Succeed":
      case "Fail":
        return { states, tasks, end: { state: name, type: state.Type, error: state.Error }, minutes: (clock - start.getTime()) / 60_000 };
      case "Pass":
        data = set(data, state.ResultPath, state.Parameters ? template(state.Parameters, data, context) : (state.Result ?? data));
        name = state.Next;
        break;
      case "Choice": {
        const match = state.Choices.find((c: Json) =>
          "StringEquals" in c ? get(data, c.Variable, context) === c.StringEquals : get(data, c.Variable, context) === c.BooleanEquals,
        );
        name = match ? match.Next : state.Default;
        break;
      }
      case "Wait":
        clock += state.Seconds * 1000;
        name = state.Next;
        break;
      case "Task": {
        const parameters = template(state.Parameters, data, context);
        try {
          let result: Json;
          if (state.Resource === "arn:aws:states:::lambda:invoke") {
            const request = parameters.Payload as StepRequest;
            tasks.push(`lambda:${request.step}`);
            result = { Payload: await runStep(request, clients, new Date(clock)) };
          } else {
            tasks.push(`sdk:${String(state.Resource).replace("arn:aws:states:::aws-sdk:", "")} ${parameters.Name}`);
            result = {};
          }
          data = set(data, state.ResultPath, state.ResultSelector ? template(state.ResultSelector, result, context) : result);
          name = state.Next;
        } catch (error) {
          const caught = (state.Catch ?? []).find((c: Json) => c.ErrorEquals.includes((error as Error).name) || c.ErrorEquals.includes("States.ALL"));
          if (!caught) throw error;
          data = set(data, caught.ResultPath, { Error: (error as Error).name, Cause: (error as Error).message });
          name = caught.Next;
        }
        break;
      }
      default:
        throw new Error(`state type ${state.Type} is not interpreted`);
    }
  }
  throw new Error(`no end after ${maxStates} states: ${states.slice(-10).join(" -> ")}`);
}
