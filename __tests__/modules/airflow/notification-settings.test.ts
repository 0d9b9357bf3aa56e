import { COMPONENTS } from "../../../runtime/airflow-image";
import { failureNotificationEnvironment } from "../../../modules/airflow/notification-settings";

describe("failureNotificationEnvironment", () => {
  const topic = "arn:aws:sns:eu-west-1:111111111111:airflow-dev-alarms";

  it("tells only the components that run task failure callbacks (dag-processor, workers) where failures go", () => {
    expect(COMPONENTS.filter((c) => Object.keys(failureNotificationEnvironment(c, { failureTopicArn: topic })).length > 0)).toEqual([
      "dag-processor",
      "worker",
    ]);
    expect(failureNotificationEnvironment("worker", { failureTopicArn: topic })).toEqual({ AIRFLOW_ECS_FAILURE_TOPIC_ARN: topic });
  });

  it("sets nothing when the environment turned notifications off", () => {
    expect(COMPONENTS.map((c) => failureNotificationEnvironment(c, {}))).toEqual(COMPONENTS.map(() => ({})));
  });
});
