/** The Airflow image, the sizes of its long-running components, and the environment's own Airflow options. */
import { OPTION_COMPONENTS, type OptionComponent } from "../airflow-options/validate";
import { auth } from "./auth";
import { taskSize } from "./common";
import { bool, int, num, obj, oneOf, record, str, union } from "./language";

/** One ECS service of a fixed number of replicas. */
const component = (doc: string) => obj({ desiredCount: int(1, 20, { doc: "Number of tasks." }), ...taskSize }, { doc });

/**
 * One Airflow option's value: text, a number, a boolean, or the Secrets Manager secret holding it. What each option
 * accepts (it exists, the platform does not manage it, its type, no secret in plain text, the capacity and token
 * rules) is checked against the option catalogue by `config/derived/airflow-options.ts`, from `validate.ts`.
 */
const optionValue = union([
  str("text of at most 4096 characters", { pattern: /^[\s\S]{0,4096}$/ }),
  num(-1e12, 1e12),
  bool(),
  obj({
    secretArn: str(
      "a Secrets Manager secret ARN of the environment's account and region, e.g. arn:aws:secretsmanager:eu-west-1:123456789012:secret:airflow/prod/smtp-AbC123",
      {
        pattern: /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9\/_+=.@-]+-[A-Za-z0-9]{6}$/,
        doc: "The secret holding the option's value; ECS injects it at task start and the task execution role may read exactly these secrets.",
      },
    ),
  }),
]);

/** `"section.key": value` pairs, each set as AIRFLOW__SECTION__KEY. */
const OPTIONS = {
  keyPattern: /^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)+$/,
  keyAllowed: "Airflow option names as section.key, e.g. core.parallelism",
  keyExample: "core.parallelism",
  values: optionValue,
  maxEntries: 100,
};

const only = (component: OptionComponent) => ({
  optional: true as const,
  doc: `Airflow options of the ${OPTION_COMPONENTS[component]} component only, on top of \`airflow.config\`.`,
});

/** One entry per key of OPTION_COMPONENTS (the `satisfies` keeps the two lists equal). */
const componentOptions = {
  apiServer: record(OPTIONS, only("apiServer")),
  scheduler: record(OPTIONS, only("scheduler")),
  dagProcessor: record(OPTIONS, only("dagProcessor")),
  triggerer: record(OPTIONS, only("triggerer")),
  worker: record(OPTIONS, only("worker")),
  flower: record(OPTIONS, only("flower")),
  migrate: record(OPTIONS, only("migrate")),
} satisfies Record<OptionComponent, unknown>;

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
    config: record(OPTIONS, {
      default: {},
      doc: 'Airflow options set on every component, as `"section.key": value` (README "Airflow options"): validated against every option of the image\'s Airflow and providers; options the platform manages, secrets in plain text and overrides that break the capacity or token rules are refused.',
    }),
    componentConfig: obj(componentOptions, { default: {}, doc: "Airflow options for one component only, overriding `airflow.config` there." }),
  },
  {
    doc: "The Airflow image and components.",
    retired: { authManager: 'was replaced by airflow.auth; expected "auth": {"kind": "fab"} (or "simple", or "oidc" with its settings) instead' },
  },
);
