import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { Construct } from "constructs";

export interface ImageRepositoryProps {
  /** Repository name, e.g. `airflow-prod-airflow`. */
  readonly name: string;
  /**
   * Tagged images kept (older ones expire).
   * @default 50
   */
  readonly keepTaggedImages?: number;
  /**
   * Allow `terraform destroy` with images inside (throwaway environments).
   * @default false
   */
  readonly forceDelete?: boolean;
}

/** The ECR repository of the Airflow image: immutable tags, scan on push, KMS encryption, lifecycle rules. */
export class ImageRepository extends Construct {
  /** The ECR repository. */
  readonly repository: EcrRepository;

  constructor(scope: Construct, id: string, props: ImageRepositoryProps) {
    super(scope, id);
    this.repository = new EcrRepository(this, "repository", {
      name: props.name,
      imageTagMutability: "IMMUTABLE",
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: [{ encryptionType: "KMS" }],
      forceDelete: props.forceDelete ?? false,
    });
    new EcrLifecyclePolicy(this, "lifecycle", {
      repository: this.repository.name,
      policy: JSON.stringify({
        rules: [
          {
            rulePriority: 1,
            description: "Drop untagged layers after 7 days",
            selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 7 },
            action: { type: "expire" },
          },
          {
            rulePriority: 2,
            description: `Keep the newest ${props.keepTaggedImages ?? 50} tagged images`,
            selection: { tagStatus: "tagged", tagPatternList: ["*"], countType: "imageCountMoreThan", countNumber: props.keepTaggedImages ?? 50 },
            action: { type: "expire" },
          },
        ],
      }),
    });
  }

  /** `<account>.dkr.ecr.<region>.amazonaws.com/<name>`. */
  get repositoryUrl(): string {
    return this.repository.repositoryUrl;
  }

  /** The image of a tag in this repository, `<repositoryUrl>:<tag>`. */
  imageUri(tag: string): string {
    return `${this.repositoryUrl}:${tag}`;
  }
}
