import { defineRule } from "../../rule";
import { block, literalString } from "../../values";

/** Checkov CKV_AWS_329. */
export const efsAccessPointRootDirectory = defineRule({
  id: "CKV_AWS_329",
  title: "EFS access points pin a root directory",
  rationale: "An access point rooted at / lets its clients reach every directory of the file system.",
  resourceTypes: ["aws_efs_access_point"],
  check: (ap) => {
    const path = block(ap.get("root_directory"))?.path;
    const literal = literalString(path);
    return path !== undefined && literal !== "/" ? undefined : "root_directory.path is not set below /; pin the access point to its own directory";
  },
});
