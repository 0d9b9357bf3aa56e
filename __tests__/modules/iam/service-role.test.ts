import { App, TerraformOutput, TerraformStack, Testing } from "cdktf";
import { ConstructError } from "../../../modules/core/construct-error";
import { ServiceRole } from "../../../modules/iam/service-role";

describe("ServiceRole", () => {
  const stack = new TerraformStack(new App(), "dev-iam");
  const trust = JSON.stringify({ Version: "2012-10-17", Statement: [] });

  it("exposes the instance profile's ARN of a role created with one", () => {
    // GIVEN an EC2 role with an instance profile THEN its profile ARN is the profile resource's
    const own = new TerraformStack(new App(), "dev-iam");
    const role = new ServiceRole(own, "host", { name: "airflow-dev-host", description: "host", assumeRolePolicy: trust, instanceProfile: true });
    new TerraformOutput(own, "profile", { value: role.instanceProfileArn });
    expect(JSON.parse(Testing.synth(own)).output.profile.value).toMatch(/^\$\{aws_iam_instance_profile\.host_profile_\w+\.arn\}$/);
  });

  it("refuses the instance profile of a role without one, naming the role's construct", () => {
    // GIVEN a role without an instance profile WHEN its profile is asked for THEN a construct error names its path
    const role = new ServiceRole(stack, "task", { name: "airflow-dev-task", description: "task", assumeRolePolicy: trust });
    expect(() => role.instanceProfileArn).toThrow(ConstructError);
    expect(() => role.instanceProfileArn).toThrow("dev-iam/task: this role has no instance profile (create it with instanceProfile: true)");
  });
});
