"""Executors run the per-document steps (pipeline.steps) over a run's documents to do and stream back
each one's outcome: `local` in this process, `ray` on a Ray cluster. They import the steps, never
`pipeline.run`, which chooses one (`config.executor.kind`) and records what they return.
"""
