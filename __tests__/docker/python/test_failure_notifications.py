"""
Unit tests of the failure-notification cluster policy: airflow_ecs.failure_notifications.attach with stand-in tasks,
DAGs and notifier, and airflow_local_settings.task_policy through a stand-in of the Amazon provider's SnsNotifier
module (Airflow is not installed here).
"""

import inspect
import sys
import types
import unittest

from airflow_ecs import failure_notifications as fn

TOPIC = "arn:aws:sns:eu-west-1:111111111111:airflow-dev-alarms"
ENV = {fn.TOPIC_ENV: TOPIC, fn.ENVIRONMENT_ENV: "dev", fn.BASE_URL_ENV: "https://airflow.dev.example.com/"}


class Dag:
    def __init__(self, tags=()):
        self.tags = set(tags)


class Task:
    """What the policy reads and writes of a task: its DAG, id and on_failure_callback."""

    def __init__(self, dag=None, on_failure_callback=None, task_id="load"):
        self.dag, self.on_failure_callback, self.task_id = dag, on_failure_callback, task_id


class Notifier:
    """Stand-in of SnsNotifier: records its keyword arguments."""

    created = []

    def __init__(self, **kwargs):
        self.kwargs = kwargs
        Notifier.created.append(self)

    def __call__(self, context):
        pass


def own_callback(context):
    pass


def other_callback(context):
    pass


def notifiers(task):
    return [c for c in task.on_failure_callback if isinstance(c, Notifier)]


class AttachTest(unittest.TestCase):
    def setUp(self):
        Notifier.created = []

    def attach(self, task, environ=ENV):
        return fn.attach(task, environ=environ, make_notifier=Notifier)

    def test_attaches_the_notifier_to_a_task_without_callbacks(self):
        # GIVEN a task of a DAG without callbacks WHEN the policy runs
        task = Task(Dag())
        self.assertTrue(self.attach(task))
        # THEN its only failure callback is a notifier publishing to the topic of the environment variable
        self.assertEqual(len(task.on_failure_callback), 1)
        notifier = task.on_failure_callback[0]
        self.assertIsInstance(notifier, Notifier)
        self.assertEqual(notifier.kwargs["target_arn"], TOPIC)
        self.assertEqual(notifier.kwargs["subject"], "Airflow task failed in dev")
        self.assertEqual(notifier.kwargs["message_attributes"], {"airflow_ecs_kind": "task-failure", "dag_id": "{{ ti.dag_id }}"})
        self.assertTrue(getattr(notifier, fn.MARKER))

    def test_the_message_names_the_dag_task_run_and_links_the_ui(self):
        message = fn.notifier_arguments(TOPIC, "prod", "https://airflow.example.com/")["message"]
        self.assertIn("DAG: {{ ti.dag_id }}", message)
        self.assertIn("Task: {{ ti.task_id }} (map index {{ ti.map_index }})", message)
        self.assertIn("Run: {{ ti.run_id }}\nTry: {{ ti.try_number }}", message)
        self.assertIn(
            "https://airflow.example.com/dags/{{ ti.dag_id | urlencode }}/runs/{{ ti.run_id | urlencode }}/tasks/{{ ti.task_id | urlencode }}", message
        )
        # without a UI URL (no ALB in front of this process) there is no link
        self.assertNotIn("/dags/", fn.notifier_arguments(TOPIC, "prod", "")["message"])

    def test_keeps_a_single_existing_callback_and_runs_it_first(self):
        task = Task(Dag(), on_failure_callback=own_callback)
        self.assertTrue(self.attach(task))
        self.assertEqual(task.on_failure_callback[0], own_callback)
        self.assertIsInstance(task.on_failure_callback[1], Notifier)
        self.assertEqual(len(task.on_failure_callback), 2)

    def test_keeps_a_list_of_callbacks_without_changing_the_shared_list(self):
        # GIVEN two tasks sharing one callback list (as default_args hands it to every task)
        shared = [own_callback, other_callback]
        first, second = Task(Dag(), shared, "a"), Task(Dag(), shared, "b")
        # WHEN the policy runs on both
        self.attach(first)
        self.attach(second)
        # THEN each keeps both callbacks and has exactly one notifier, and the shared list is untouched
        for task in (first, second):
            self.assertEqual(task.on_failure_callback[:2], [own_callback, other_callback])
            self.assertEqual(len(notifiers(task)), 1)
        self.assertEqual(shared, [own_callback, other_callback])
        self.assertIsNot(first.on_failure_callback, second.on_failure_callback)

    def test_keeps_a_tuple_of_callbacks(self):
        task = Task(Dag(), (own_callback,))
        self.attach(task)
        self.assertEqual(task.on_failure_callback[0], own_callback)
        self.assertEqual(len(notifiers(task)), 1)

    def test_does_not_attach_twice(self):
        # GIVEN a task the policy already ran on (a DagBag loads a file more than once)
        task = Task(Dag(), own_callback)
        self.attach(task)
        # WHEN it runs again
        self.assertFalse(self.attach(task))
        # THEN there is still one notifier, and only one was created
        self.assertEqual(len(notifiers(task)), 1)
        self.assertEqual(len(Notifier.created), 1)

    def test_honours_the_dag_opt_out_tag(self):
        task = Task(Dag(tags=["etl", fn.OPT_OUT_TAG]), own_callback)
        self.assertFalse(self.attach(task))
        self.assertEqual(task.on_failure_callback, own_callback)
        self.assertEqual(Notifier.created, [])

    def test_other_tags_do_not_opt_out(self):
        task = Task(Dag(tags=["airflow-ecs:something-else", "no-failure-notification"]))
        self.assertTrue(self.attach(task))

    def test_a_task_outside_a_dag_still_gets_the_notifier(self):
        task = Task(dag=None)
        self.assertTrue(self.attach(task))

    def test_attaches_nothing_when_the_topic_variable_is_unset_or_empty(self):
        for environ in ({}, {fn.TOPIC_ENV: ""}, {fn.TOPIC_ENV: "  "}):
            task = Task(Dag(), own_callback)
            self.assertFalse(self.attach(task, environ=environ))
            self.assertEqual(task.on_failure_callback, own_callback)
        self.assertEqual(Notifier.created, [])

    def test_the_subject_without_an_environment(self):
        self.assertEqual(fn.notifier_arguments(TOPIC, "", "")["subject"], "Airflow task failed")

    def test_never_raises(self):
        # GIVEN a notifier that cannot be built (e.g. the Amazon provider missing)
        def broken(**kwargs):
            raise ImportError("No module named 'airflow.providers.amazon'")

        task = Task(Dag(), own_callback)
        # WHEN the policy runs THEN it logs, attaches nothing, and leaves the task as it was
        with self.assertLogs("airflow_ecs.failure_notifications", level="ERROR") as logs:
            self.assertFalse(fn.attach(task, environ=ENV, make_notifier=broken))
        self.assertEqual(task.on_failure_callback, own_callback)
        self.assertIn("could not attach the failure notifier to task load", logs.output[0])


class LocalSettingsTest(unittest.TestCase):
    """airflow_local_settings: what Airflow registers from it, and task_policy wired to the Amazon provider's notifier."""

    #: The hook specifications of airflow/policies.py (names Airflow registers from airflow_local_settings).
    POLICY_HOOKS = {
        "task_policy",
        "dag_policy",
        "task_instance_mutation_hook",
        "pod_mutation_hook",
        "get_airflow_context_vars",
        "get_dagbag_import_timeout",
    }

    def setUp(self):
        import airflow_local_settings

        self.settings = airflow_local_settings
        self.module_name = "airflow.providers.amazon.aws.notifications.sns"
        self.saved = {name: sys.modules.get(name) for name in self._package_chain()}
        for name in self._package_chain():
            sys.modules[name] = types.ModuleType(name)
        sys.modules[self.module_name].SnsNotifier = Notifier
        Notifier.created = []

    def tearDown(self):
        for name, module in self.saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module

    def _package_chain(self):
        parts = self.module_name.split(".")
        return [".".join(parts[: i + 1]) for i in range(len(parts))]

    def test_all_names_only_the_policy_so_it_is_registered_and_nothing_overwrites_airflow_settings(self):
        # Airflow considers the names in __all__: hook names become policies, any other name is copied over
        # airflow.settings. Only task_policy is listed: it is registered, the imported helpers are not copied.
        self.assertEqual(self.settings.__all__, ["task_policy"])
        self.assertLessEqual(set(self.settings.__all__), self.POLICY_HOOKS)
        # pluggy routes the hook's argument by name: the parameter is called `task`, as in the hookspec
        self.assertEqual(list(inspect.signature(self.settings.task_policy).parameters), ["task"])
        # the hostname callable stays reachable by its dotted path
        self.assertTrue(callable(self.settings.ecs_task_ip))

    def test_task_policy_attaches_the_providers_sns_notifier(self):
        # GIVEN the topic variable of a dag-processor or worker container
        saved = {name: fn.os.environ.get(name) for name in ENV}
        fn.os.environ.update(ENV)
        try:
            task = Task(Dag(), own_callback)
            # WHEN Airflow calls the policy
            self.settings.task_policy(task)
        finally:
            for name, value in saved.items():
                if value is None:
                    fn.os.environ.pop(name, None)
                else:
                    fn.os.environ[name] = value
        # THEN the notifier comes from airflow.providers.amazon.aws.notifications.sns and follows the task's own callback
        self.assertEqual(task.on_failure_callback[0], own_callback)
        self.assertIs(type(task.on_failure_callback[1]), Notifier)
        self.assertEqual(task.on_failure_callback[1].kwargs["target_arn"], TOPIC)


if __name__ == "__main__":
    unittest.main()
