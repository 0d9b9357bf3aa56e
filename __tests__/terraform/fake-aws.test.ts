import * as http from "http";
import { FakeAws } from "../support/fake-aws";

/**
 * The loopback AWS stand-in can answer for several accounts at once: the offline plans of every account share one
 * provider process, each run's provider configuration carrying its account's credentials.
 */
function callerIdentity(fake: FakeAws, accessKey: string): Promise<{ status: number; body: string }> {
  const body = "Action=GetCallerIdentity&Version=2011-06-15";
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${fake.endpoint}/`,
      {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          authorization: `AWS4-HMAC-SHA256 Credential=${accessKey}/20261202/eu-west-1/sts/aws4_request, SignedHeaders=host, Signature=0`,
        },
      },
      (res) => {
        let text = "";
        res.on("data", (d) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const account = (body: string) => /<Account>(\d+)<\/Account>/.exec(body)?.[1];

describe("FakeAws for several accounts", () => {
  let fake: FakeAws;
  beforeAll(async () => {
    fake = await FakeAws.start("111111111111", "222222222222");
  });
  afterAll(() => fake.stop());

  it("answers GetCallerIdentity with the account whose credentials signed the request, and records the call as that account's", async () => {
    // GIVEN each account's credentials WHEN the caller identity is asked with them
    const first = await callerIdentity(fake, fake.credentials("111111111111").access_key);
    const second = await callerIdentity(fake, fake.credentials("222222222222").access_key);
    // THEN each gets its own account, and each account's calls hold its own check
    expect([account(first.body), account(second.body)]).toEqual(["111111111111", "222222222222"]);
    expect([fake.callsOf("111111111111"), fake.callsOf("222222222222")]).toEqual([["GetCallerIdentity"], ["GetCallerIdentity"]]);
  });

  it("counts the environment's credentials as the first account's", async () => {
    // GIVEN the credentials of the environment it hands out WHEN the caller identity is asked with them THEN the first account answers
    const answer = await callerIdentity(fake, fake.environment().AWS_ACCESS_KEY_ID);
    expect(account(answer.body)).toBe("111111111111");
  });

  it("refuses credentials of no account it stands in for, and says so in the calls", async () => {
    // GIVEN a key of another account WHEN the caller identity is asked with it THEN the request fails and is recorded as unexpected
    const answer = await callerIdentity(fake, "AKIAOFFLINE333333333333");
    expect(answer.status).toBe(400);
    expect(fake.calls.at(-1)).toMatch(/^unexpected: credentials of no account here/);
  });

  it("hands out credentials only for its accounts", () => {
    expect(() => fake.credentials("333333333333")).toThrow("the FakeAws stands in for 111111111111, 222222222222, not 333333333333");
  });
});
