"""Offline German→English translation and bilingual summary briefings.

Library entry point: `pipeline.run.run(inputs, out_dir, config)`; `pipeline.config.load_config()` gives
the configuration. The CLI (`pipeline.cli`) is a thin shell over these.
"""

__version__ = "0.1.0"
