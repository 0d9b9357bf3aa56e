"""
Minimal stand-ins for the few Airflow and Celery names the image's DAGs and Celery configuration import, so their
module-level code (DAG arguments, task arguments, dependencies, signal registration) runs without Airflow. They
record what the real classes would receive; they do not emulate Airflow's behaviour.
"""

import importlib.util
import sys
import types


class TaskRef:
    """What calling a @task function inside a DAG returns (Airflow: an XComArg)."""

    def __init__(self, dag, task_id, kwargs, function):
        self.dag, self.task_id, self.kwargs, self.function = dag, task_id, kwargs, function
        self.upstream = set()

    @staticmethod
    def _as_list(other):
        return list(other) if isinstance(other, (list, tuple)) else [other]

    def __rshift__(self, other):
        for downstream in self._as_list(other):
            downstream.upstream.add(self.task_id)
        return other

    def __rrshift__(self, other):
        for upstream in self._as_list(other):
            self.upstream.add(upstream.task_id)
        return self


class DAG:
    current = None
    #: Every DAG created since the stub was installed, in order.
    instances = []

    def __init__(self, **kwargs):
        self.kwargs = kwargs
        self.tasks = {}
        DAG.instances.append(self)

    def __enter__(self):
        DAG.current = self
        return self

    def __exit__(self, *_):
        DAG.current = None
        return False


def task(*args, **kwargs):
    if args and callable(args[0]) and not kwargs:
        return task()(args[0])

    def decorate(function):
        def call(*call_args, **call_kwargs):
            dag = DAG.current
            ref = TaskRef(dag, kwargs.get("task_id", function.__name__), kwargs, function)
            for argument in list(call_args) + list(call_kwargs.values()):
                if isinstance(argument, TaskRef):  # passing an XComArg makes a dependency
                    ref.upstream.add(argument.task_id)
            dag.tasks[ref.task_id] = ref
            return ref

        call.function = function
        return call

    return decorate


class Variable:
    values = {}
    requested = []

    @classmethod
    def get(cls, key):
        cls.requested.append(key)
        return cls.values[key]


class Signal:
    def __init__(self):
        self.receivers = []

    def connect(self, receiver, **kwargs):
        self.receivers.append((receiver, kwargs))


def install_airflow_sdk():
    DAG.instances.clear()
    airflow = types.ModuleType("airflow")
    airflow.__path__ = []
    sdk = types.ModuleType("airflow.sdk")
    sdk.DAG, sdk.task, sdk.Variable = DAG, task, Variable
    airflow.sdk = sdk
    sys.modules["airflow"], sys.modules["airflow.sdk"] = airflow, sdk


def install_celery(default_config):
    """airflow.providers.celery.executors.default_celery with DEFAULT_CELERY_CONFIG, and celery.signals."""
    install_airflow_sdk()
    names = ["airflow.providers", "airflow.providers.celery", "airflow.providers.celery.executors"]
    for name in names:
        module = types.ModuleType(name)
        module.__path__ = []
        sys.modules[name] = module
    default_celery = types.ModuleType("airflow.providers.celery.executors.default_celery")
    default_celery.DEFAULT_CELERY_CONFIG = dict(default_config)
    sys.modules[default_celery.__name__] = default_celery
    celery = types.ModuleType("celery")
    celery.__path__ = []
    signals = types.ModuleType("celery.signals")
    signals.task_prerun, signals.task_postrun = Signal(), Signal()
    celery.signals = signals
    sys.modules["celery"], sys.modules["celery.signals"] = celery, signals
    return signals


def uninstall():
    for name in [n for n in sys.modules if n == "airflow" or n.startswith("airflow.") or n == "celery" or n.startswith("celery.")]:
        del sys.modules[name]
    # Forget the image's Celery configuration too, so the next import runs it again against fresh stand-ins.
    sys.modules.pop("airflow_ecs.celery_config", None)
    package = sys.modules.get("airflow_ecs")
    if package is not None and hasattr(package, "celery_config"):
        delattr(package, "celery_config")


def load_file(path, module_name):
    """Executes a DAG file as a fresh module and returns it."""
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
