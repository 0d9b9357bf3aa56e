import { defineRule } from "../../rule";
import { literalString, show } from "../../values";

/** Checkov CKV_AWS_51. */
export const ecrImmutableTags = defineRule({
  id: "CKV_AWS_51",
  title: "ECR tags immutable",
  rationale: "A task definition pins an image tag; a mutable tag lets a later push change what runs without a plan showing it.",
  resourceTypes: ["aws_ecr_repository"],
  check: (repo) => {
    const value = repo.get("image_tag_mutability");
    return literalString(value) === "IMMUTABLE" ? undefined : `image_tag_mutability is ${show(value)}; set "IMMUTABLE"`;
  },
});
