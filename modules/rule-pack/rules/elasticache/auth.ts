import { defineRule } from "../../rule";
import { strings } from "../../values";

/** Checkov CKV_AWS_31 (cdk-nag AwsSolutions-AEC6). */
export const redisAuth = defineRule({
  id: "CKV_AWS_31",
  aliases: ["AwsSolutions-AEC6"],
  title: "Redis requires authentication",
  rationale: "Anything that reaches the broker's port could otherwise read or inject Celery tasks, i.e. run code on the workers.",
  resourceTypes: ["aws_elasticache_replication_group"],
  check: (group) =>
    group.get("auth_token") !== undefined || strings(group.get("user_group_ids")).length > 0
      ? undefined
      : "neither auth_token nor user_group_ids is set; clients connect unauthenticated",
});
