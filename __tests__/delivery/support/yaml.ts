/**
 * A reader for the YAML subset the workflows use (no YAML library is installed, and none is added): block
 * mappings and sequences, plain, single- and double-quoted scalars, one-line flow sequences and mappings, literal
 * and folded block scalars, comments. Anything else (anchors, aliases, tags, several documents, multi-line flow or
 * plain scalars) is rejected with the line number, so a workflow never silently parses into something else.
 */

export type YamlValue = null | boolean | number | string | YamlValue[] | { [key: string]: YamlValue };

interface RawLine {
  readonly number: number;
  readonly indent: number;
  /** The line without its indentation. */
  readonly text: string;
  readonly raw: string;
}

export class YamlError extends Error {
  constructor(message: string, line?: number) {
    super(line === undefined ? message : `line ${line}: ${message}`);
    this.name = "YamlError";
  }
}

function isSignificant(line: RawLine): boolean {
  return line.text !== "" && !line.text.startsWith("#");
}

/** The index of the first `#` that starts a comment (outside quotes, preceded by a space). */
function commentStart(text: string): number {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) {
        if (quote === "'" && text[i + 1] === "'") i++;
        else quote = undefined;
      } else if (c === "\\" && quote === '"') i++;
    } else if ((c === '"' || c === "'") && (i === 0 || /[\s[{,:]/.test(text[i - 1]))) {
      quote = c;
    } else if (c === "#" && (i === 0 || /\s/.test(text[i - 1]))) {
      return i;
    }
  }
  return -1;
}

function stripComment(text: string): string {
  const at = commentStart(text);
  return (at >= 0 ? text.slice(0, at) : text).trimEnd();
}

function plainScalar(text: string): YamlValue {
  if (text === "" || text === "~" || text === "null") return null;
  if (text === "true") return true;
  if (text === "false") return false;
  if (/^-?\d+$/.test(text)) return Number(text);
  if (/^-?\d+\.\d+$/.test(text)) return Number(text);
  return text;
}

function doubleQuoted(text: string, line: number): { value: string; rest: string } {
  let value = "";
  for (let i = 1; i < text.length; i++) {
    const c = text[i];
    if (c === '"') return { value, rest: text.slice(i + 1) };
    if (c === "\\") {
      const next = text[++i];
      const escapes: Record<string, string> = { n: "\n", t: "\t", '"': '"', "\\": "\\", "/": "/", "0": "\0", r: "\r" };
      if (!(next in escapes)) throw new YamlError(`unsupported escape \\${next}`, line);
      value += escapes[next];
    } else {
      value += c;
    }
  }
  throw new YamlError("unterminated double-quoted scalar (multi-line scalars are not supported)", line);
}

function singleQuoted(text: string, line: number): { value: string; rest: string } {
  let value = "";
  for (let i = 1; i < text.length; i++) {
    if (text[i] === "'") {
      if (text[i + 1] === "'") {
        value += "'";
        i++;
        continue;
      }
      return { value, rest: text.slice(i + 1) };
    }
    value += text[i];
  }
  throw new YamlError("unterminated single-quoted scalar (multi-line scalars are not supported)", line);
}

/** Splits the inside of a one-line flow collection at top-level commas. */
function splitFlow(inner: string, line: number): string[] {
  const items: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let current = "";
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (quote) {
      if (c === quote) quote = undefined;
      current += c;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    if (c === "[" || c === "{") depth++;
    if (c === "]" || c === "}") depth--;
    if (c === "," && depth === 0) {
      items.push(current.trim());
      current = "";
      continue;
    }
    current += c;
  }
  if (quote || depth !== 0) throw new YamlError("unbalanced flow collection", line);
  if (current.trim() !== "") items.push(current.trim());
  return items;
}

/** Splits `key: value` (the key plain or quoted); undefined when the text is not a mapping entry. */
function splitEntry(text: string, line: number): { key: string; rest: string } | undefined {
  if (text.startsWith('"') || text.startsWith("'")) {
    const { value, rest } = text.startsWith('"') ? doubleQuoted(text, line) : singleQuoted(text, line);
    const m = /^\s*:(\s|$)/.exec(rest);
    return m ? { key: value, rest: rest.slice(m[0].length).trim() } : undefined;
  }
  const m = /^([^\s#'"[\]{},][^#]*?):(\s|$)/.exec(text);
  if (!m) return undefined;
  return { key: m[1].trim(), rest: text.slice(m[0].length).trim() };
}

/** A value written on one line: quoted, flow or plain scalar. */
function inlineValue(text: string, line: number): YamlValue {
  const t = text.trim();
  if (/^[&*!]/.test(t)) throw new YamlError(`anchors, aliases and tags are not supported: ${t}`, line);
  if (t.startsWith('"') || t.startsWith("'")) {
    const { value, rest } = t.startsWith('"') ? doubleQuoted(t, line) : singleQuoted(t, line);
    if (stripComment(rest).trim() !== "") throw new YamlError(`unexpected text after a quoted scalar: ${rest}`, line);
    return value;
  }
  const body = stripComment(t);
  if (body.startsWith("[")) {
    if (!body.endsWith("]")) throw new YamlError("multi-line flow sequences are not supported", line);
    return splitFlow(body.slice(1, -1), line).map((item) => inlineValue(item, line));
  }
  if (body.startsWith("{")) {
    if (!body.endsWith("}")) throw new YamlError("multi-line flow mappings are not supported", line);
    const out: Record<string, YamlValue> = {};
    for (const item of splitFlow(body.slice(1, -1), line)) {
      const entry = splitEntry(item, line);
      if (!entry) throw new YamlError(`not a flow mapping entry: ${item}`, line);
      out[entry.key] = inlineValue(entry.rest, line);
    }
    return out;
  }
  return plainScalar(body);
}

class Parser {
  private index = 0;

  constructor(private readonly lines: RawLine[]) {}

  private peek(): RawLine | undefined {
    while (this.index < this.lines.length && !isSignificant(this.lines[this.index])) this.index++;
    return this.lines[this.index];
  }

  parseDocument(): YamlValue {
    const first = this.peek();
    if (!first) return null;
    const value = this.parseBlock(first.indent);
    const extra = this.peek();
    if (extra) throw new YamlError(`unexpected indentation or content: ${extra.text}`, extra.number);
    return value;
  }

  private parseBlock(indent: number): YamlValue {
    const line = this.peek()!;
    return line.text === "-" || line.text.startsWith("- ") ? this.parseSequence(indent) : this.parseMapping(indent);
  }

  private parseSequence(indent: number): YamlValue[] {
    const items: YamlValue[] = [];
    for (let line = this.peek(); line && line.indent === indent && (line.text === "-" || line.text.startsWith("- ")); line = this.peek()) {
      const rest = line.text === "-" ? "" : line.text.slice(2);
      const offset = line.text.length - line.text.slice(1).trimStart().length;
      if (rest.trim() === "") {
        this.index++;
        const next = this.peek();
        items.push(next && next.indent > indent ? this.parseBlock(next.indent) : null);
      } else if (/^[|>][+-]?$/.test(stripComment(rest.trim()))) {
        this.index++;
        items.push(this.blockScalar(stripComment(rest.trim()), indent));
      } else if (splitEntry(rest.trim(), line.number)) {
        // `- key: value`: a mapping whose first entry sits on the dash line.
        this.lines[this.index] = { ...line, indent: indent + offset, text: rest.trim() };
        items.push(this.parseMapping(indent + offset));
      } else {
        this.index++;
        items.push(inlineValue(rest, line.number));
      }
    }
    return items;
  }

  private parseMapping(indent: number): Record<string, YamlValue> {
    const out: Record<string, YamlValue> = {};
    for (let line = this.peek(); line && line.indent === indent; line = this.peek()) {
      if (line.text.startsWith("- ") || line.text === "-") break;
      const entry = splitEntry(line.text, line.number);
      if (!entry) throw new YamlError(`expected "key: value", found: ${line.text}`, line.number);
      if (Object.prototype.hasOwnProperty.call(out, entry.key)) throw new YamlError(`duplicate key "${entry.key}"`, line.number);
      this.index++;
      const rest = stripComment(entry.rest);
      if (rest === "") {
        const next = this.peek();
        if (next && next.indent > indent) out[entry.key] = this.parseBlock(next.indent);
        else if (next && next.indent === indent && (next.text.startsWith("- ") || next.text === "-")) out[entry.key] = this.parseSequence(indent);
        else out[entry.key] = null;
      } else if (/^[|>][+-]?$/.test(rest)) {
        out[entry.key] = this.blockScalar(rest, indent);
      } else {
        out[entry.key] = inlineValue(entry.rest, line.number);
      }
    }
    return out;
  }

  /** `|`/`>` block scalars: every following line indented deeper than the key (blank lines kept). */
  private blockScalar(header: string, indent: number): string {
    const body: RawLine[] = [];
    while (this.index < this.lines.length) {
      const line = this.lines[this.index];
      if (line.text !== "" && line.indent <= indent) break;
      body.push(line);
      this.index++;
    }
    while (body.length > 0 && body[body.length - 1].text === "") body.pop();
    const content = body.filter((l) => l.text !== "");
    const base = content.length > 0 ? Math.min(...content.map((l) => l.indent)) : 0;
    const lines = body.map((l) => (l.text === "" ? "" : l.raw.slice(base)));
    let text = header.startsWith("|") ? lines.join("\n") : lines.join("\n").replace(/([^\n])\n(?=[^\n\s])/g, "$1 ");
    if (!header.endsWith("-")) text += "\n";
    return text;
  }
}

/** Parses one YAML document of the supported subset. */
export function parseYaml(text: string): YamlValue {
  const lines: RawLine[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    if (/\t/.test(raw.match(/^\s*/)![0])) throw new YamlError("tabs in indentation", i + 1);
    const trimmed = raw.trimStart();
    if (i === 0 && trimmed === "---") return;
    if (trimmed === "---" || trimmed === "...") throw new YamlError("several documents are not supported", i + 1);
    lines.push({ number: i + 1, indent: raw.length - trimmed.length, text: trimmed.trimEnd(), raw: raw.trimEnd() });
  });
  return new Parser(lines).parseDocument();
}
