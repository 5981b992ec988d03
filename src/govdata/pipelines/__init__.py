"""Declared pipelines: YAML files in ``pipelines/`` listing steps that produce a
resource before it is checked. The steps are Python functions registered in
:mod:`govdata.pipelines.steps`; a pipeline file can only name them, never run
arbitrary code."""

from govdata.pipelines.runner import PipelineError, run_pipeline

__all__ = ["PipelineError", "run_pipeline"]
