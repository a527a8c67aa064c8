"""Running one suite on one pandas frame with Great Expectations, planned once per process.

GX validates a suite in three steps: it plans (for every expectation, the metrics it needs: a metric
dependency graph), computes the metrics on the data, and lets each expectation judge its metrics.
Planning costs ~5 ms of Python per expectation (pydantic copies, id hashing) and never looks at the
data: it depends only on the expectation's configuration (type, kwargs with the suite parameters
substituted), the batch id (constant for a whole-dataframe batch definition: "<datasource>-<asset>"),
the result format and the engine's class. Planning, planning again inside `metrics_validate`, and
fetching and fingerprinting every frame twice (`get_batch`, then `Batch.validate` again) made ~70% of
`validate_batch` on 10k corpus documents' facts (~0.4 of ~0.6 CPU-s).

So, per process and suite (`SuiteRunner`):
- each expectation's plan (graph, and the metric names it judges) is built by GX on first use and reused
  for every later batch with the same key. GX still computes every metric on the new data
  (`ValidationGraph.resolve`), and every expectation still judges them with its own `_validate`,
  exactly as `Expectation.metrics_validate` does;
- one validator, built on the first batch the way `Batch.validate` builds one; each later frame goes
  into its execution engine under the same batch id (`ExecutionEngine.load_batch_data`), which skips
  GX's fingerprint of every frame (md5 over `pandas.util.hash_pandas_object`, ~0.05 s per 10k
  documents' facts, mostly the id strings) that nothing reads.

Only expectation types whose planning is known not to read the data are reused (`GRAPH_REUSE_TYPES`;
GX's type checks such as `expect_column_values_to_be_of_type` do read it); any other type is planned
per batch as before. This overrides two methods of GX 1.24's (pinned) `Validator`;
`tests/test_expectations.py` checks that every suite's results equal GX's own `Batch.validate` on the
same frames, across batches, so an upgrade that changes those internals fails there.
"""

from __future__ import annotations

import copy
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from great_expectations.core.batch_definition import BatchDefinition
from great_expectations.core.expectation_validation_result import ExpectationValidationResult
from great_expectations.data_context import AbstractDataContext
from great_expectations.exceptions import InvalidExpectationConfigurationError
from great_expectations.expectations.expectation import Expectation
from great_expectations.expectations.expectation_configuration import (
    ExpectationConfiguration,
    parse_result_format,
)
from great_expectations.validator.validation_graph import ExpectationValidationGraph
from great_expectations.validator.validator import ValidationDependencies, Validator

# Expectation types whose metric dependencies depend on configuration only (checked in GX 1.24's
# `get_validation_dependencies` / `_get_evaluation_dependencies` of their metrics: none reads the batch).
GRAPH_REUSE_TYPES = frozenset(
    {
        "expect_column_values_to_not_be_null",
        "expect_column_values_to_be_unique",
        "expect_column_values_to_be_in_set",
        "expect_column_values_to_be_between",
        "expect_column_pair_values_a_to_be_greater_than_b",
        "expect_compound_columns_to_be_unique",
        "expect_table_row_count_to_be_between",
    }
)


@dataclass
class _Plan:
    """What GX works out for one expectation configuration before it sees any data."""

    graph: ExpectationValidationGraph  # metric dependency graph (with the configuration it was built for)
    dependencies: ValidationDependencies | None = None  # metric name -> metric, filled on first judging


PlanCache = dict[tuple[str, str, str, str], _Plan]
# Plans are keyed by parameter values too, and the row-count bounds change with the batch size: a bound
# keeps a long-lived worker's cache small (a plan costs ~10 ms to rebuild)
MAX_PLANS = 2_000


def _plan_key(
    configuration: ExpectationConfiguration, batch_id: str | None, runtime_configuration: Mapping | None
) -> tuple[str, str, str, str] | None:
    """What an expectation's dependency graph depends on, as text; None when it must not be reused."""
    if configuration.type not in GRAPH_REUSE_TYPES:
        return None
    kwargs = sorted((str(k), repr(v)) for k, v in configuration.kwargs.items())
    runtime = sorted((str(k), repr(v)) for k, v in (runtime_configuration or {}).items())
    return configuration.type, repr(kwargs), str(batch_id), repr(runtime)


class _PlanReusingValidator(Validator):
    """GX's Validator, taking each expectation's plan (metric dependency graph and the metrics it judges)
    from a per-process cache instead of working it out again for every batch."""

    def __init__(self, plans: PlanCache, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._plans = plans
        self._plan_of: dict[int, _Plan] = {}  # id of a configuration handed to graph_validate -> its plan

    def _generate_metric_dependency_subgraphs_for_each_expectation_configuration(
        self,
        expectation_configurations: list[ExpectationConfiguration],
        processed_configurations: list[ExpectationConfiguration],
        catch_exceptions: bool,
        runtime_configuration: dict | None = None,
    ) -> tuple[
        list[ExpectationValidationGraph], list[ExpectationValidationResult], list[ExpectationConfiguration]
    ]:
        graphs: list[ExpectationValidationGraph] = []
        errors: list[ExpectationValidationResult] = []
        for configuration in expectation_configurations:
            key = _plan_key(configuration, self.active_batch_id, runtime_configuration)
            plan = self._plans.get(key) if key is not None else None
            if plan is None:
                built, failed, _ = (
                    super()._generate_metric_dependency_subgraphs_for_each_expectation_configuration(
                        expectation_configurations=[configuration],
                        processed_configurations=[],
                        catch_exceptions=catch_exceptions,
                        runtime_configuration=runtime_configuration,
                    )
                )
                errors.extend(failed)  # a configuration GX could not plan for is reported every time
                if not built:
                    continue
                plan = _Plan(built[0])
                if key is not None:
                    if len(self._plans) >= MAX_PLANS:
                        self._plans.clear()
                    self._plans[key] = plan
            # the configuration handed on is made as GX's own step makes it (it becomes the result's
            # `expectation_config`, meta included); resolving never changes the graph itself
            evaluated = copy.deepcopy(configuration)
            if self.active_batch_id:
                evaluated.kwargs.update({"batch_id": self.active_batch_id})
            graph = ExpectationValidationGraph(evaluated, plan.graph.graph)
            graphs.append(graph)
            processed_configurations.append(graph.configuration)
            if key is not None:
                self._plan_of[id(graph.configuration)] = plan
        return graphs, errors, processed_configurations

    def forget_configurations(self) -> None:
        """Drop the per-call map from configurations to plans (the validator serves many batches)."""
        self._plan_of.clear()

    def graph_validate(
        self, configurations: list[ExpectationConfiguration], runtime_configuration: dict | None = None
    ) -> list[ExpectationValidationResult]:
        """`Validator.graph_validate` of GX 1.24, step for step, except that each expectation judges its
        metrics with the dependencies found for the same configuration before (`_judge`)."""
        runtime_configuration = runtime_configuration or {}
        catch_exceptions = bool(runtime_configuration.get("catch_exceptions", True))
        graphs, results, processed = (
            self._generate_metric_dependency_subgraphs_for_each_expectation_configuration(
                expectation_configurations=configurations,
                processed_configurations=[],
                catch_exceptions=catch_exceptions,
                runtime_configuration=runtime_configuration,
            )
        )
        graph = self._generate_suite_level_graph_from_expectation_level_sub_graphs(
            expectation_validation_graphs=graphs
        )
        try:
            metrics, results, processed = (
                self._resolve_suite_level_graph_and_process_metric_evaluation_errors(
                    graph=graph,
                    runtime_configuration=runtime_configuration,
                    expectation_validation_graphs=graphs,
                    evrs=results,
                    processed_configurations=processed,
                    show_progress_bars=self._determine_progress_bars(),
                )
            )
        except Exception as error:
            if not catch_exceptions:
                raise
            return self._catch_exceptions_in_failing_expectation_validations(
                exception_traceback=traceback.format_exc(),
                exception=error,
                failing_expectation_configurations=processed,
                evrs=results,
            )
        for configuration in processed:
            try:
                expectation = configuration.to_domain_obj()
                results.append(
                    self._judge(
                        expectation,
                        self._plan_of.get(id(configuration)),
                        metrics,
                        copy.deepcopy(runtime_configuration),
                    )
                )
            except Exception as error:
                if not catch_exceptions:
                    raise
                results = self._catch_exceptions_in_failing_expectation_validations(
                    exception_traceback=traceback.format_exc(),
                    exception=error,
                    failing_expectation_configurations=[configuration],
                    evrs=results,
                )
        return results

    def _judge(
        self, expectation: Expectation, plan: _Plan | None, metrics: dict, runtime_configuration: dict
    ) -> ExpectationValidationResult:
        """`Expectation.metrics_validate` with the expectation's dependencies taken from its plan."""
        if plan is None or _is_boolean_only(runtime_configuration):
            return expectation.metrics_validate(
                metrics=metrics,
                execution_engine=self._execution_engine,
                runtime_configuration=runtime_configuration,
            )
        if plan.dependencies is None:
            plan.dependencies = expectation.get_validation_dependencies(
                execution_engine=self._execution_engine,
                runtime_configuration=copy.deepcopy(runtime_configuration),
            )
        dependencies = plan.dependencies
        runtime_configuration["result_format"] = copy.deepcopy(dependencies.result_format)
        for metric in dependencies.get_metric_configurations():
            if metric.id not in metrics:
                raise InvalidExpectationConfigurationError(
                    f"Metric {metric.id} is not available for validation of configuration."
                )
        provided = {name: metrics[metric.id] for name, metric in dependencies.metric_configurations.items()}
        raw = expectation._validate(
            metrics=provided,
            runtime_configuration=runtime_configuration,
            execution_engine=self._execution_engine,
        )
        return expectation._build_evr(raw_response=raw)


def _is_boolean_only(runtime_configuration: Mapping[str, Any]) -> bool:
    # GX trims BOOLEAN_ONLY results after judging; that path is left to GX's own metrics_validate
    result_format = runtime_configuration.get("result_format")
    if isinstance(result_format, Mapping):
        result_format = result_format.get("result_format")
    return str(result_format).upper() == "BOOLEAN_ONLY"


class SuiteRunner:
    """Validates frames for one suite: one batch definition, one validator and one plan cache per process.

    The first frame is fetched through the batch definition (`get_batch`) and the validator is built on
    that batch as `Batch.validate` builds one; later frames replace the batch's data in the same
    execution engine under the same batch id (`ExecutionEngine.load_batch_data`). That skips GX's
    fingerprint of every frame (an md5 over `pandas.util.hash_pandas_object`, 0.05 s per 10k documents'
    facts, mostly the id strings), which nothing reads. Not thread-safe: the caller holds a lock.
    """

    def __init__(self, context: AbstractDataContext, batch_definition: BatchDefinition) -> None:
        self._context = context
        self._batch_definition = batch_definition
        self._plans: PlanCache = {}
        self._validator: _PlanReusingValidator | None = None

    def validate(
        self,
        configurations: list[ExpectationConfiguration],
        frame: pd.DataFrame,
        parameters: Mapping[str, Any],
        result_format: Mapping[str, Any],
    ) -> list[ExpectationValidationResult]:
        """Results of `configurations` (fresh ones: GX substitutes parameters into them in place) on
        `frame`, in GX's order (grouped by column), as `Batch.validate(suite).results` returns them."""
        validator = self._validator
        if validator is None:
            batch = self._batch_definition.get_batch(batch_parameters={"dataframe": frame})
            validator = _PlanReusingValidator(
                self._plans,
                execution_engine=batch.data.execution_engine,
                interactive_evaluation=True,
                expectation_suite=None,
                data_context=self._context,
                batches=[batch],
            )
            self._validator = validator
        else:
            assert validator.active_batch_id is not None
            validator.execution_engine.load_batch_data(validator.active_batch_id, frame)
        processed = validator.process_expectations_for_validation(configurations, dict(parameters))
        # GX completes the result format in place while planning the first expectation; completing it
        # first (the same defaults) keeps the plan key the same for every expectation and batch
        runtime_configuration = {"result_format": parse_result_format(dict(result_format))}
        try:
            return validator.graph_validate(
                configurations=processed, runtime_configuration=runtime_configuration
            )
        finally:
            validator.forget_configurations()
