"""The container's grading pipeline, one module per stage (see README, Layout)."""

