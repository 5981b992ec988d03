"""Declared pipelines: YAML files in ``pipelines/`` listing steps that produce a
resource before it is checked. The steps are Python functions registered in
:mod:`govdata.pipelines.steps`; a pipeline file can only name them, never run
arbitrary code."""

from govdata.pipelines.runner import CommittedRead, PipelineError, committed_read, run_pipeline, transform_rows

__all__ = ["CommittedRead", "PipelineError", "committed_read", "run_pipeline", "transform_rows"]
