"""Training FLOPs of one model, and `TrainingCost`: a protocol next to one dense model."""

from __future__ import annotations

import dataclasses
import math

from ftk.sparse.growth_rules import get_growth_rule


@dataclasses.dataclass(frozen=True)
class TrainingCost:
    """Cost of a training protocol next to a dense reference.

    `dense_train_flops` is the reference's training budget: one dense model
    trained as long as the protocol's runs, or (as `ftk flops` shows by
    default, the paper's convention) the dense recipe's own budget, see
    `ftk.protocols.CostInputs.dense_reference`. `dense_inference_flops` and
    `dense_params` are one dense model's.
    """

    train_flops: float
    inference_flops: float
    nonzero_params: float
    dense_train_flops: float
    dense_inference_flops: float
    dense_params: int

    @property
    def train_flops_ratio(self) -> float:
        """Training FLOPs relative to the dense reference run (`nan` if that is 0)."""
        return _ratio(self.train_flops, self.dense_train_flops)

    @property
    def inference_flops_ratio(self) -> float:
        return _ratio(self.inference_flops, self.dense_inference_flops)

    @property
    def params_ratio(self) -> float:
        return _ratio(self.nonzero_params, self.dense_params)


def training_flops(
    forward_sparse: float,
    forward_dense: float,
    steps: int,
    update_steps: int = 0,
    growth=None,
) -> float:
    """Returns the FLOPs of training one model for `steps` steps (per example).

    Args:
        forward_sparse: Forward FLOPs `f_S` of the (sparse) model.
        forward_dense: Forward FLOPs `f_D` of its dense counterpart.
        steps: Training steps.
        update_steps: Topology updates among `steps`.
        growth: `None` (static masks) or a growth rule (a name registered in
            `ftk.sparse.growth_rules`, or a rule): `3 f_S` per step; a rule
            that needs the dense gradient (RigL's `"gradient"`) adds
            `f_D - f_S` per update step; one that keeps its momentum (SNFS's
            `"momentum"`) needs it every step: `2 f_S + f_D` per step. For a
            dense model pass `forward_sparse == forward_dense`.

    Returns:
        Training FLOPs per example.

    Raises:
        ValueError: For an unknown `growth` or inconsistent step counts.

    Example:

    ```python
    ftk.flops.training_flops(10.0, 50.0, steps=100, update_steps=10, growth="gradient")
    # 3 * 10 * 100 + (50 - 10) * 10 = 3400.0
    ```
    """
    rule = None if growth is None else get_growth_rule(growth)
    if not 0 <= update_steps <= steps:
        raise ValueError(f"Need 0 <= update_steps <= steps. Received: {update_steps}, {steps}")
    if rule is not None and rule.uses_momentum:
        return float((2 * forward_sparse + forward_dense) * steps)
    extra = (forward_dense - forward_sparse) * update_steps if rule and rule.needs_dense_gradient else 0.0
    return float(3 * forward_sparse * steps + extra)


def _ratio(value: float, reference: float) -> float:
    return value / reference if reference else math.nan
