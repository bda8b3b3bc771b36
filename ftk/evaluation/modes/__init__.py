"""The modes of `ftk eval`, one module each: `run(ctx: EvalContext) -> dict`.

`ftk.evaluation.MODES` maps a mode's name to its `"module:function"`; a mode's
module is imported only when the mode runs.
"""
