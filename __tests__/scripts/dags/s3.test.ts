import { DeleteObjectsCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import * as fs from "fs";
import * as path from "path";
import { awsCalls, DAGS, ecs, failure, folder, inputs, publishTarget, resetMocks, run, s3, s3Error, target } from "./harness";

afterEach(resetMocks);

describe("deploying an S3 bundle", () => {
  const TEST = target("test");
  const BUCKET = TEST.bucket;

  it("uploads every file under dags/<prefix>/, then deletes only the stale keys under it", async () => {
    // GIVEN test (S3 bundle "dags", prefix dags/dags/) holding an old file, and a listing in two pages
    const dir = folder(DAGS);
    publishTarget(TEST, "test");
    s3.on(ListObjectsV2Command)
      .resolvesOnce({ IsTruncated: true, NextContinuationToken: "page-2", Contents: [{ Key: "dags/dags/hello.py" }, { Key: "dags/dags/gone.py" }] })
      .resolvesOnce({ IsTruncated: false, Contents: [{ Key: "dags/dags/lib/old/x.py" }, { Key: "dags/dags-other/keep.py" }] });
    s3.on(PutObjectCommand).resolves({});
    s3.on(DeleteObjectsCommand).resolves({ Deleted: [] });
    // WHEN deployed
    const result = await run(["--env", "test", "--from", dir]);
    // THEN the whole prefix was listed page by page
    expect(inputs(s3, ListObjectsV2Command)).toEqual([
      { Bucket: BUCKET, Prefix: "dags/dags/", ContinuationToken: undefined },
      { Bucket: BUCKET, Prefix: "dags/dags/", ContinuationToken: "page-2" },
    ]);
    // AND every file of the folder (not the left-out ones) was uploaded under the prefix
    const puts = inputs(s3, PutObjectCommand).map((i) => ({ ...i, Body: (i.Body as Buffer).toString("utf8") }));
    expect(puts.sort((a, b) => a.Key.localeCompare(b.Key))).toEqual([
      { Bucket: BUCKET, Key: "dags/dags/hello.py", Body: DAGS["hello.py"] },
      { Bucket: BUCKET, Key: "dags/dags/lib/util.py", Body: DAGS["lib/util.py"] },
    ]);
    // AND only then the keys under the prefix the folder no longer has were deleted; nothing outside it
    expect(inputs(s3, DeleteObjectsCommand)).toEqual([
      { Bucket: BUCKET, Delete: { Objects: [{ Key: "dags/dags/gone.py" }, { Key: "dags/dags/lib/old/x.py" }], Quiet: true } },
    ]);
    const order = s3.calls().map((c) => c.args[0].constructor.name);
    expect(order.lastIndexOf("PutObjectCommand")).toBeLessThan(order.indexOf("DeleteObjectsCommand"));
    expect(result).toMatchObject({ code: 0, stdout: `uploaded 2 files to s3://${BUCKET}/dags/dags/, deleted 2 stale objects (bundle dags of test)\n` });
    expect(ecs.calls()).toHaveLength(0);
  });

  it("uses the configured prefix of a bundle", async () => {
    // GIVEN prod's S3 bundle "analytics" (prefix analytics) and an empty prefix
    publishTarget(target("prod"), "prod");
    s3.on(ListObjectsV2Command).resolves({});
    s3.on(PutObjectCommand).resolves({});
    const result = await run(["--env", "prod", "--bundle", "analytics", "--from", folder({ "a.py": "a" })]);
    expect(inputs(s3, PutObjectCommand).map((i) => i.Key)).toEqual(["dags/analytics/a.py"]);
    expect(s3.commandCalls(DeleteObjectsCommand)).toHaveLength(0);
    expect(result.stdout).toBe("uploaded 1 files to s3://airflow-prod-dags-111111111111/dags/analytics/, deleted 0 stale objects (bundle analytics of prod)\n");
  });

  it("uploads at most 8 files at a time", async () => {
    const files = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`dag_${String(i).padStart(2, "0")}.py`, `# ${i}\n`]));
    publishTarget(TEST, "test");
    s3.on(ListObjectsV2Command).resolves({});
    let inFlight = 0;
    let most = 0;
    s3.on(PutObjectCommand).callsFake(async () => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 2));
      inFlight--;
      return {};
    });
    await run(["--env", "test", "--from", folder(files)]);
    expect([s3.commandCalls(PutObjectCommand).length, most]).toEqual([30, 8]);
  });

  it("deletes in batches of 1000 keys", async () => {
    publishTarget(TEST, "test");
    const stale = Array.from({ length: 2500 }, (_, i) => ({ Key: `dags/dags/old/${String(i).padStart(4, "0")}.py` }));
    s3.on(ListObjectsV2Command)
      .resolvesOnce({ IsTruncated: true, NextContinuationToken: "2", Contents: stale.slice(0, 1000) })
      .resolvesOnce({ IsTruncated: true, NextContinuationToken: "3", Contents: stale.slice(1000, 2000) })
      .resolvesOnce({ Contents: stale.slice(2000) });
    s3.on(PutObjectCommand).resolves({});
    s3.on(DeleteObjectsCommand).resolves({});
    const result = await run(["--env", "test", "--from", folder({ "a.py": "a" })]);
    expect(inputs(s3, DeleteObjectsCommand).map((i) => i.Delete.Objects.length)).toEqual([1000, 1000, 500]);
    expect(inputs(s3, DeleteObjectsCommand).flatMap((i) => i.Delete.Objects)).toEqual(stale);
    expect(result.stdout).toContain("deleted 2500 stale objects");
  });

  it("reports the keys DeleteObjects could not delete", async () => {
    publishTarget(TEST, "test");
    s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: "dags/dags/a.py" }, { Key: "dags/dags/b.py" }] });
    s3.on(PutObjectCommand).resolves({});
    s3.on(DeleteObjectsCommand).resolves({ Errors: [{ Key: "dags/dags/b.py", Code: "AccessDenied", Message: "Access Denied" }] });
    const error = await failure(["--env", "test", "--from", folder({ "a.py": "a" })]);
    expect([error.exitCode, error.message]).toEqual([
      1,
      `uploaded 1 files to s3://${BUCKET}/dags/dags/, but could not delete 1 stale objects: dags/dags/b.py (AccessDenied: Access Denied)`,
    ]);
  });

  it("deletes nothing when an upload fails", async () => {
    publishTarget(TEST, "test");
    s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: "dags/dags/stale.py" }] });
    s3.on(PutObjectCommand).rejects(s3Error("AccessDenied", 403));
    const error = await failure(["--env", "test", "--from", folder({ "a.py": "a" })]);
    expect([error.exitCode, error.message]).toEqual([1, `S3 PutObject s3://${BUCKET}/dags/dags/a.py failed: AccessDenied: AccessDenied`]);
    expect(s3.commandCalls(DeleteObjectsCommand)).toHaveLength(0);
  });

  it("refuses a symbolic link before touching the bucket", async () => {
    const dir = folder({ "a.py": "a" });
    fs.symlinkSync("a.py", path.join(dir, "b.py"));
    const error = await failure(["--env", "test", "--from", dir]);
    expect([error.exitCode, error.message, awsCalls()]).toEqual([
      1,
      `"${path.join(dir, "b.py")}" is a symbolic link; a DAG folder may hold only regular files and folders (the sync task refuses links)`,
      0,
    ]);
  });
});
