/** The Airflow image and the sizes of its long-running components. */
import { auth } from "./auth";
import { taskSize } from "./common";
import { bool, int, obj, oneOf, str } from "./language";

/** One ECS service of a fixed number of replicas. */
const component = (doc: string) => obj({ desiredCount: int(1, 20, { doc: "Number of tasks." }), ...taskSize }, { doc });

export const airflow = obj(
  {
    imageTag: str("a Docker tag of up to 128 letters, digits, _ . or -, not 'latest' (ECR tags are immutable)", {
      pattern: /^(?!latest$)[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/,
      doc: "Tag of the Airflow image in this environment's ECR repository (built from docker/).",
    }),
    auth,
    apiServer: component("The API server (UI and REST API) behind the ALB."),
    scheduler: component("The scheduler."),
    dagProcessor: component("The standalone DAG processor."),
    triggerer: component("The triggerer (deferred tasks)."),
    flower: obj(
      {
        enabled: bool({ doc: "Run Flower, the Celery monitoring UI." }),
        exposure: oneOf(["alb", "bastion"], {
          default: "bastion",
          doc: "How Flower is reached: through the ALB under `/flower` with basic auth, or only through the bastion (port forwarding).",
        }),
        ...taskSize,
      },
      { doc: "Flower." },
    ),
  },
  {
    doc: "The Airflow image and components.",
    retired: { authManager: 'was replaced by airflow.auth; expected "auth": {"kind": "fab"} (or "simple", or "oidc" with its settings) instead' },
  },
);
