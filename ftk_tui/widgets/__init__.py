"""The widgets of the run view: each renders one part of a `RunState`.

The screen sets each widget's `state` attribute ("attributes down"); widgets only
read it. Every widget here carries the CSS class `run-part`.
"""
