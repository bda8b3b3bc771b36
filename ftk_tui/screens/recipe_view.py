"""The recipe view: the resolved `recipe.yaml` of a run, highlighted and scrollable."""

from __future__ import annotations

from pathlib import Path

from rich.syntax import Syntax
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

RECIPE_FILE = "recipe.yaml"
MAX_BYTES = 1024 * 1024
"""Larger recipe files are cut here: a recipe is a page or two of YAML."""


class RecipeViewScreen(Screen[None]):
    """Shows `RUN_DIR/recipe.yaml`, the recipe the run resolved and trained with.

    Arrows, page keys and the mouse scroll it; `escape` or `v` closes it. A
    missing or unreadable file shows a message saying so instead.

    Args:
        run_dir: The run directory.

    Attributes:
        path: The recipe file shown.
        text: Its text, or `None` when it could not be read.
        message: Why the text is missing, or `None` when it was read.

    Example:

    ```python
    app.push_screen(RecipeViewScreen(Path("runs/edst_wrn")))
    ```
    """

    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("v", "close", "Close", show=False),
    ]

    def __init__(self, run_dir: Path) -> None:
        super().__init__()
        self.path = Path(run_dir) / RECIPE_FILE
        self.text, self.message = read_recipe(self.path)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="recipe-scroll") as scroll:
            scroll.border_title = str(self.path)
            if self.text is None:
                yield Static(self.message or "", id="recipe-message", markup=False)
            else:
                syntax = Syntax(self.text, "yaml", theme="ansi_dark", line_numbers=True, word_wrap=True)
                yield Static(syntax, id="recipe-text")
        yield Footer()

    def on_mount(self) -> None:
        """Gives the text the focus, so the arrows scroll it."""
        self.query_one("#recipe-scroll").focus()

    def action_close(self) -> None:
        """Returns to the run view."""
        self.dismiss()


def read_recipe(path: Path) -> tuple[str | None, str | None]:
    """Reads a recipe file for display.

    Args:
        path: The `recipe.yaml` to read.

    Returns:
        `(text, None)` when it was read, else `(None, message)` with a message
        that says what is wrong and what to do.
    """
    try:
        with open(path, "rb") as file:
            data = file.read(MAX_BYTES + 1)
    except FileNotFoundError:
        return None, (
            f"No recipe file: {path} does not exist. `ftk run` writes the resolved recipe there when a "
            "run starts; a folder of an older ftk, or one copied without it, has none."
        )
    except OSError as error:
        return None, f"Could not read {path}: {error.strerror or error}. Check that the file is readable."
    text = data[:MAX_BYTES].decode("utf-8", errors="replace")
    if len(data) > MAX_BYTES:
        text += f"\n# ... cut here: the file is larger than {MAX_BYTES // 1024} KiB\n"
    return text, None
