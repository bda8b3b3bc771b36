"""A real tiny `ftk run` opened in the app: the contract holds end to end."""

from __future__ import annotations

from pathlib import Path

import keras
import pytest
from textual.widgets import DataTable, Label

from ftk.protocols.runner import run_recipe
from ftk.recipes import find_recipe, load_recipe
from ftk_tui.app import FtkTui
from ftk_tui.widgets.error_panel import ErrorPanel
from tests.tui.conftest import wait_for


async def test_app_shows_a_real_edst_run(tmp_path: Path) -> None:
    run_dir = tmp_path / "real"
    result = run_recipe(load_recipe(find_recipe("test_edst")), run_dir)
    app = FtkTui(run_dir, interval=0.05)
    async with app.run_test(size=(120, 40)) as pilot:
        tickets = app.screen.query_one("#tickets", DataTable)
        await wait_for(pilot, lambda: tickets.row_count == 2)
        assert str(app.screen.query_one("#run-phase", Label).content) == "refinement 2/2"
        assert "epoch 6/6" in str(app.screen.query_one("#run-position", Label).content)
        layers = app.screen.query_one("#layers", DataTable)
        assert layers.row_count == 3  # the MLP's three sparse kernels
    assert len(result.tickets) == 2


class Boom(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        if epoch == 1:
            raise RuntimeError("loss became NaN at epoch 2 (simulated)")


async def test_app_shows_the_error_of_a_failed_run(tmp_path: Path) -> None:
    run_dir = tmp_path / "failed"
    with pytest.raises(RuntimeError):
        run_recipe(load_recipe(find_recipe("test_edst")), run_dir, callbacks=[Boom()])
    app = FtkTui(run_dir, interval=0.05)
    async with app.run_test(size=(120, 40)) as pilot:
        panel = app.screen.query_one(ErrorPanel)
        await wait_for(pilot, lambda: panel.has_class("-failed"))
        assert "loss became NaN at epoch 2 (simulated)" in str(panel.render())
