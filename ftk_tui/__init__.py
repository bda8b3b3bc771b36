"""ftk-tui: a live terminal monitor for ftk run directories.

The package reads run directories only (`recipe.yaml`, `events.jsonl`). It never
imports TensorFlow, Keras or the `ftk` library, so it starts quickly and can watch a
run from any machine that sees its files.
"""

__all__: list[str] = []
