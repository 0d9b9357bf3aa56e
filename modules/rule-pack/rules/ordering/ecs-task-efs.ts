import { defineRule } from "../../rule";
import { block, blocks } from "../../values";
import { missingPrerequisites, namedResource, type Prerequisite } from "./dependencies";

/** A task definition mounting EFS is registered only after the file system's mount targets and access points exist. */
export const orderEcsTaskEfs = defineRule({
  id: "AIRFLOW_ORDER_ECS_TASK_EFS",
  title: "ECS task definition after its EFS mount targets and access points",
  rationale:
    "ECS registers the task definition unchecked, but its tasks cannot mount the file system (ResourceInitializationError) until a mount target exists in their AZ, which trips the deployment circuit breaker of the first rollout.",
  resourceTypes: ["aws_ecs_task_definition"],
  companions: ["aws_efs_file_system", "aws_efs_mount_target", "aws_efs_access_point"],
  check: (task, stack) =>
    missingPrerequisites(
      stack,
      task,
      blocks(task.get("volume")).flatMap((volume): Prerequisite[] => {
        const efs = block(volume.efs_volume_configuration);
        const fileSystem = efs ? namedResource(stack, ["aws_efs_file_system"], efs.file_system_id, ["id"]) : undefined;
        if (!efs || !fileSystem) return [];
        const accessPoint = namedResource(stack, ["aws_efs_access_point"], block(efs.authorization_config)?.access_point_id, ["id"]);
        return [
          ...stack
            .referrers("aws_efs_mount_target", "file_system_id", fileSystem)
            .map((target) => ({ resource: target, role: "a mount target of its file system" })),
          ...(accessPoint ? [{ resource: accessPoint, role: "its access point" }] : []),
        ];
      }),
    ),
});
