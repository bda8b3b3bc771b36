"""The widgets of the run view, one per file.

Each widget that renders part of a run has a `state` attribute (a `RunState`) and
the CSS class `run-part`; the screen sets `state` ("attributes down") and the
widget only reads it.
"""
