import { policyJson, serviceTrustPolicy } from "../../../modules/iam/policy-document";

describe("policyJson", () => {
  it("renders typed statements as an IAM policy document, merging principals and conditions", () => {
    // GIVEN a statement with two principals of one type and two conditions under one operator
    const json = policyJson([
      {
        sid: "Example",
        actions: ["s3:GetObject"],
        resources: ["arn:aws:s3:::b/*"],
        principals: [
          { type: "AWS", identifiers: ["arn:aws:iam::111111111111:root"] },
          { type: "AWS", identifiers: ["arn:aws:iam::222222222222:root"] },
        ],
        conditions: [
          { test: "StringEquals", variable: "aws:SourceAccount", values: ["111111111111"] },
          { test: "StringEquals", variable: "aws:PrincipalOrgID", values: ["o-1"] },
        ],
      },
    ]);
    // THEN it is the document IAM expects
    expect(JSON.parse(json)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "Example",
          Effect: "Allow",
          Principal: { AWS: ["arn:aws:iam::111111111111:root", "arn:aws:iam::222222222222:root"] },
          Action: ["s3:GetObject"],
          Resource: ["arn:aws:s3:::b/*"],
          Condition: { StringEquals: { "aws:SourceAccount": ["111111111111"], "aws:PrincipalOrgID": ["o-1"] } },
        },
      ],
    });
  });

  it("renders the everyone principal as *", () => {
    expect(
      JSON.parse(policyJson([{ sid: "Deny", effect: "Deny", actions: ["s3:*"], principals: [{ type: "*", identifiers: ["*"] }] }])).Statement[0].Principal,
    ).toBe("*");
  });

  it("rejects invalid, duplicate or empty statements with a clear message", () => {
    expect(() => policyJson([])).toThrow("a policy needs at least one statement");
    expect(() => policyJson([{ sid: "Bad-Sid", actions: ["s3:GetObject"] }])).toThrow('statement id "Bad-Sid" must be alphanumeric');
    expect(() =>
      policyJson([
        { sid: "A", actions: ["s3:GetObject"] },
        { sid: "A", actions: ["s3:PutObject"] },
      ]),
    ).toThrow('statement id "A" is used twice in one policy');
    expect(() => policyJson([{ sid: "A", actions: [] }])).toThrow("statement A has no actions");
  });

  it("builds service trust limited to the source account", () => {
    expect(JSON.parse(serviceTrustPolicy(["lambda.amazonaws.com"], "123456789012")).Statement[0]).toEqual({
      Sid: "TrustedServices",
      Effect: "Allow",
      Principal: { Service: ["lambda.amazonaws.com"] },
      Action: ["sts:AssumeRole"],
      Condition: { StringEquals: { "aws:SourceAccount": ["123456789012"] } },
    });
  });
});
