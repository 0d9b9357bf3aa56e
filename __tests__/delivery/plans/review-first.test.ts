import { renderPlanSummary } from "../../../scripts/plans/render";
import { CRAFTED_SUMMARY as markdown, dangerLines, fixture } from "./crafted";

describe("the review-first list of crafted plans (data loss, open ingress, IAM, state backend)", () => {
  it("puts the replaced RDS instance and the deleted S3 bucket first in the review list", () => {
    const danger = dangerLines(markdown);
    expect(danger.slice(0, 2)).toEqual([
      "- **delete** `aws_s3_bucket.task_logs` in `dev-storage`: 🔥 S3 bucket (data loss)",
      "- **replace** `aws_db_instance.metadata` in `dev-storage`: 🔥 RDS instance (data loss), forced by `storage_encrypted`",
    ]);
  });

  it("lists ingress opened to 0.0.0.0/0 or ::/0 (rule resources and inline blocks), not private or egress rules", () => {
    const danger = dangerLines(markdown).filter((l) => l.includes("🌐"));
    expect(danger).toEqual([
      "- **update** `aws_security_group.bastion` in `dev-network`: 🌐 inline ingress tcp 22 from ::/0",
      "- **create** `aws_security_group_rule.legacy_postgres` in `dev-network`: 🌐 tcp 5432 from 0.0.0.0/0",
      "- **create** `aws_vpc_security_group_ingress_rule.alb_https` in `dev-network`: 🌐 tcp 443 from 0.0.0.0/0",
    ]);
  });

  it("lists every IAM change of a stack on one line", () => {
    expect(dangerLines(markdown).filter((l) => l.includes("IAM"))).toEqual([
      "- 🔑 **IAM** in `dev-iam`: 1 to delete, 1 to update, 1 to create: delete `aws_iam_role_policy_attachment.legacy`, update `aws_iam_role_policy.worker`, create `aws_iam_role.dag_processor`",
    ]);
  });

  it("flags a change to the state bucket in a bootstrap stack", () => {
    const bootstrap = renderPlanSummary([{ id: "bootstrap-airflow-tfstate-111111111111", plan: fixture("bootstrap-airflow-tfstate-111111111111") }]);
    expect(dangerLines(bootstrap)).toEqual([
      "- **update** `aws_s3_bucket_policy.state` in `bootstrap-airflow-tfstate-111111111111`: 🗄️ Terraform state bucket, its key or its policy",
    ]);
  });

  it("does not put a replaced task definition (not stateful) in the review list, but shows the structural change", () => {
    const services = renderPlanSummary([{ id: "dev-services", plan: fixture("dev-services") }]);
    expect(dangerLines(services)).toEqual([]);
    expect(services).toContain(
      "  - `container_definitions (json) [name=scheduler].environment[name=AIRFLOW_ECS_DB_HOST].value`: `old-db.internal` → `db.internal` **(forces replacement)**\n",
    );
  });
});
