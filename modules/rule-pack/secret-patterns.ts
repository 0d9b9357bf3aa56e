/**
 * What a secret looks like: in a variable name (names that must come from `secrets`/Secrets Manager, never from a
 * plain environment value) and in a literal value (key material, access keys, URLs with a password).
 */

/** Name words that mark a secret on their own. */
const SECRET_WORDS = new Set(["PASSWORD", "PASSWD", "PWD", "PASSPHRASE", "SECRET", "TOKEN", "FERNET", "CREDENTIAL", "CREDENTIALS", "APIKEY", "PRIVATEKEY"]);
/** Trailing words that make a name a pointer to a secret (its ARN, id, name or file), not the secret itself. */
const REFERENCE_WORDS = new Set(["ARN", "ARNS", "ID", "IDS", "NAME", "NAMES", "PREFIX", "PATH", "FILE"]);
/** Adjacent name words that mark a secret together. */
const SECRET_PAIRS = ["BASIC AUTH", "PRIVATE KEY", "BROKER URL", "RESULT BACKEND", "CONNECTION STRING"];

/**
 * True for variable names that hold secrets by convention: a word such as PASSWORD, SECRET, TOKEN or FERNET
 * (`AIRFLOW__API__SECRET_KEY`, `AIRFLOW_ECS_REDIS_AUTH_TOKEN`), a pair such as BASIC_AUTH or BROKER_URL, a trailing
 * KEY (`API_KEY`) or CONN (`SQL_ALCHEMY_CONN`). Words are split on `_`, so `AIRFLOW__SECRETS__BACKEND` (SECRETS, the
 * backend class) and `AIRFLOW__API_AUTH__JWT_ISSUER` are not secrets, and neither are pointers to one ending in ARN,
 * ID, NAME, PREFIX, PATH or FILE (`AIRFLOW_ECS_DB_SECRET_ARN`).
 */
export function isSecretLookingName(name: string): boolean {
  let verdict = verdicts.get(name);
  if (verdict === undefined) {
    verdict = judgeName(name);
    verdicts.set(name, verdict);
  }
  return verdict;
}

/** Names repeat across every container of every environment: judge each once. */
const verdicts = new Map<string, boolean>();

function judgeName(name: string): boolean {
  const words = name
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter(Boolean);
  if (words.length === 0 || REFERENCE_WORDS.has(words[words.length - 1])) return false;
  if (words.some((w) => SECRET_WORDS.has(w))) return true;
  const joined = ` ${words.join(" ")} `;
  if (SECRET_PAIRS.some((pair) => joined.includes(` ${pair} `))) return true;
  const last = words[words.length - 1];
  return last === "KEY" || last === "CONN";
}

/** Literal secrets recognizable in any value: what it is, substrings one of which every match contains, the pattern. */
export const LITERAL_SECRET_PATTERNS: readonly { readonly what: string; readonly hints: readonly string[]; readonly pattern: RegExp }[] = [
  { what: "an AWS access key id", hints: ["AKIA", "ASIA"], pattern: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { what: "private key material", hints: ["PRIVATE KEY"], pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
  { what: "a URL with an embedded password", hints: ["://"], pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@"']*:[^\s@"'$/]+@/i },
];

/** The kind of literal secret a value contains, if any (a substring test first, the pattern only on a hit). */
export function literalSecretIn(value: string): string | undefined {
  for (const { what, hints, pattern } of LITERAL_SECRET_PATTERNS) if (hints.some((h) => value.includes(h)) && pattern.test(value)) return what;
  return undefined;
}
