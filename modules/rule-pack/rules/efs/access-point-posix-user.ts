import { defineRule } from "../../rule";
import { block, literalNumber } from "../../values";

/** Checkov CKV_AWS_330. */
export const efsAccessPointPosixUser = defineRule({
  id: "CKV_AWS_330",
  title: "EFS access points enforce a POSIX user",
  rationale: "Without an enforced user, a client's own uid (root included) decides what it may read and write.",
  resourceTypes: ["aws_efs_access_point"],
  check: (ap) => {
    const user = block(ap.get("posix_user"));
    if (!user || user.uid === undefined || user.gid === undefined) return "posix_user (uid and gid) is not set";
    return literalNumber(user.uid) === 0 ? "posix_user.uid is 0 (root)" : undefined;
  },
});
