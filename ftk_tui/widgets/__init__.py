"""The widgets of the run view, one per file.

Each widget that renders part of a run derives from `RunPart`: it has a `state`
attribute (a `RunState`) and the CSS class `run-part`; the screen sets `state`
("attributes down") and the widget only reads it. The tables among them derive
from `StateTable`.
"""
