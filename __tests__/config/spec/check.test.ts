import { checkShape, expectation, type FieldIssue } from "../../../config/spec/check";
import { bool, int, num, obj, record, str, union, type FieldSpec } from "../../../config/spec/language";

function issuesOf(spec: FieldSpec, value: unknown, path = "field"): FieldIssue[] {
  const issues: FieldIssue[] = [];
  checkShape(spec, value, path, issues);
  return issues;
}

/** Airflow options as the next fields will hold them: section -> option -> a string, a number or a boolean. */
const optionValue = union([str("a string of at most 20 characters", { pattern: /^.{0,20}$/ }), num(-1000, 1000), bool()]);
const options = record({
  keyPattern: /^[a-z_]+$/,
  keyAllowed: "section names",
  keyExample: "core",
  values: record({ keyPattern: /^[a-z_]+$/, keyAllowed: "option names", keyExample: "parallelism", values: optionValue, maxEntries: 3 }),
  maxEntries: 5,
});

describe("checking a value against its field", () => {
  it("accepts what any member of a union accepts", () => {
    for (const value of ["text", 5, 2.5, -3, true]) expect(issuesOf(optionValue, value)).toEqual([]);
  });

  it("rejects a union value of no member's type, listing every member", () => {
    expect(issuesOf(optionValue, null)).toEqual([
      {
        path: "field",
        value: null,
        problem: "is a null; expected a string: a string of at most 20 characters, a number from -1000 to 1000 or true or false",
      },
    ]);
  });

  it("names what replaced a retired field instead of listing the allowed ones", () => {
    // GIVEN an object that retired "old" in favour of "new"
    const spec = obj({ new: int(1, 9) }, { retired: { old: 'was replaced by field.new; expected "new": <1-9> instead' } });
    // WHEN a value still writes "old" (and an unknown "other") THEN the retired one says what replaced it
    expect(issuesOf(spec, { old: 3, other: 1, new: 3 })).toEqual([
      { path: "field.old", value: 3, problem: 'was replaced by field.new; expected "new": <1-9> instead' },
      { path: "field.other", value: 1, problem: "is not a known field; allowed fields here: new" },
    ]);
  });

  it("explains a union value of a member's type with that member's message", () => {
    // GIVEN a string too long and a number out of range THEN the string and number members say why
    expect(issuesOf(optionValue, "x".repeat(21))[0].problem).toBe("is not allowed; expected a string of at most 20 characters");
    expect(issuesOf(optionValue, 5000)[0].problem).toBe("is out of range; expected a number from -1000 to 1000");
  });

  it("accepts a fractional number where an integer would not be", () => {
    expect(issuesOf(num(0, 10), 2.5)).toEqual([]);
    expect(issuesOf(int(0, 10), 2.5)[0].problem).toBe("is a number; expected an integer from 0 to 10");
    expect(issuesOf(num(0, 10), "2")[0].problem).toBe("is a string; expected a number from 0 to 10");
  });

  it("walks nested records, naming each key's path", () => {
    // GIVEN a bad section name, a bad option value and too many options
    const issues = issuesOf(options, { Core: {}, scheduler: { a: 1, b: 2, c: 3, d: [1] } }, "airflow.config");
    // THEN each is reported where it is
    expect(issues.map((i) => `${i.path}: ${i.problem}`)).toEqual([
      "airflow.config.Core: is not an allowed key; expected section names",
      "airflow.config.scheduler: has 4 entries; at most 3 allowed",
      "airflow.config.scheduler.d: is a array; expected a string: a string of at most 20 characters, a number from -1000 to 1000 or true or false",
    ]);
  });

  it("says what a record maps to, in its messages", () => {
    expect(expectation(options)).toBe("an object of section names to objects");
    expect(issuesOf(options.values, "x")[0].problem).toBe("is a string; expected an object of option names to strings, numbers or booleans");
    const tags = record({ keyPattern: /^[a-z]+$/, keyAllowed: "tag keys", keyExample: "team", values: str("a tag value"), maxEntries: 2 });
    expect(issuesOf(tags, [])[0].problem).toBe("is a array; expected an object of tag keys to strings");
  });

  it("takes an object member in a union, told apart from the scalars by the value's type", () => {
    // GIVEN an option value that may also name the secret holding it
    const withSecret = union([str("text"), num(-10, 10), obj({ secretArn: str("a secret ARN", { pattern: /^arn:/ }) })]);
    // THEN the object is accepted, a bad object is explained by the object member, and null or a list by all members
    expect(issuesOf(withSecret, { secretArn: "arn:x" })).toEqual([]);
    expect(issuesOf(withSecret, { secretArn: "x" })).toEqual([{ path: "field.secretArn", value: "x", problem: "is not allowed; expected a secret ARN" }]);
    expect(issuesOf(withSecret, { arn: "arn:x" }).map((i) => `${i.path}: ${i.problem}`)).toEqual([
      "field.arn: is not a known field; allowed fields here: secretArn",
      "field.secretArn: is required; expected a string: a secret ARN",
    ]);
    for (const value of [null, [1]]) {
      expect(issuesOf(withSecret, value)[0].problem).toMatch(/expected a string: text, a number from -10 to 10 or an object with fields secretArn$/);
    }
  });

  it("writes a record key that holds dots in brackets, so the path stays readable", () => {
    const optionsByName = record({
      keyPattern: /^[a-z_.]+$/,
      keyAllowed: "section.key names",
      keyExample: "core.parallelism",
      values: num(0, 10),
      maxEntries: 5,
    });
    expect(issuesOf(optionsByName, { "core.parallelism": 64, plain: 64 }, "airflow.config").map((i) => i.path)).toEqual([
      'airflow.config["core.parallelism"]',
      "airflow.config.plain",
    ]);
  });

  it("reports a missing required field, but not a missing defaulted, derived or optional one", () => {
    const spec = obj({ a: int(1, 2), b: int(1, 2, { default: 1 }), c: str("text", { optional: true }) });
    expect(issuesOf(spec, {}, "")).toEqual([{ path: "a", value: undefined, problem: "is required; expected an integer from 1 to 2" }]);
  });
});
