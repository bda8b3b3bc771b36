"""`ftk-tui`: a live terminal monitor for ftk run directories.

Usage: `ftk-tui runs/` lists the runs in a folder; `ftk-tui runs/<name>` opens one;
`ftk-tui --compare runs/a runs/b` overlays two runs' curves.
In a run, `tab` / `shift+tab` move between panes, the arrows scroll within the
focused one, `z` maximises it (`escape` restores it) and `?` lists every key.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from textual.app import App
from textual.binding import Binding

from ftk_tui.runs import is_run_dir
from ftk_tui.screens.compare_view import CompareViewScreen
from ftk_tui.screens.help import HelpScreen
from ftk_tui.screens.run_list import RunListScreen
from ftk_tui.screens.run_view import RunViewScreen


class FtkTui(App[None]):
    """Follows one run directory, or a folder of them, as the trainer writes events.

    Args:
        path: A run directory (holding `events.jsonl` or `recipe.yaml`) to open, or a
            folder of run directories to list. A file opens the run it is in.
        interval: Seconds between polls of the event files. Defaults to `1.0`.
        clock: Returns the current unix time; used for elapsed time and staleness.
            Defaults to `time.time`.
        stale_after: Seconds without a new event after which a run that has not
            ended counts as `stale`. Defaults to `300.0`. A run whose trainer
            processes on this machine are all gone is `stale` at once.
        compare: Two run directories to open side by side in the compare view
            instead of `path`. Defaults to `None`.

    Example:

    ```python
    FtkTui(Path("runs/edst_wrn")).run()
    ```
    """

    CSS_PATH = "app.tcss"
    TITLE = "ftk-tui"
    BINDINGS = [
        Binding("q", "quit", "Quit"),
        Binding("question_mark", "help", "Help", key_display="?"),
    ]

    def __init__(
        self,
        path: Path | str,
        interval: float = 1.0,
        clock: Callable[[], float] = time.time,
        stale_after: float = 300.0,
        compare: tuple[Path, Path] | None = None,
    ) -> None:
        super().__init__()
        path = Path(path)
        self.path = path.parent if path.is_file() else path
        self.interval = interval
        self.clock = clock
        self.stale_after = stale_after
        self.compare = compare

    def on_mount(self) -> None:
        """Opens the run, or the list of runs when `path` is not a run directory."""
        if self.compare is not None:
            self.push_screen(self._compare_view(*self.compare, can_go_back=False))
        elif is_run_dir(self.path):
            self.push_screen(self._run_view(self.path, can_go_back=False))
        else:
            self.push_screen(RunListScreen(self.path, self.interval, self.clock, self.stale_after))

    def on_run_list_screen_run_selected(self, message: RunListScreen.RunSelected) -> None:
        """Opens the run chosen in the run list."""
        self.push_screen(self._run_view(message.run_dir, can_go_back=True))

    def on_run_list_screen_compare_selected(self, message: RunListScreen.CompareSelected) -> None:
        """Opens the compare view of the two runs chosen in the run list."""
        self.push_screen(self._compare_view(message.run_a, message.run_b, can_go_back=True))

    def action_help(self) -> None:
        """Shows the keys, or closes the help when it is open."""
        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss()
        else:
            self.push_screen(HelpScreen())

    def _run_view(self, run_dir: Path, can_go_back: bool) -> RunViewScreen:
        return RunViewScreen(run_dir, self.interval, self.clock, self.stale_after, can_go_back)


    def _compare_view(self, run_a: Path, run_b: Path, can_go_back: bool) -> CompareViewScreen:
        return CompareViewScreen(run_a, run_b, self.interval, self.clock, self.stale_after, can_go_back)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ftk-tui", description="Follow ftk runs live in the terminal.")
    parser.add_argument("path", type=Path, nargs="?", help="a run directory, or a folder of run directories")
    parser.add_argument(
        "--compare", type=Path, nargs=2, metavar=("RUN_A", "RUN_B"), help="overlay two runs' curves instead"
    )
    parser.add_argument(
        "--refresh", type=float, default=1.0, metavar="SECONDS", help="seconds between polls (default: 1.0)"
    )
    parser.add_argument(
        "--stale-after",
        type=float,
        default=300.0,
        metavar="SECONDS",
        help="seconds without events before a run counts as stale (default: 300); "
        "a run whose trainer process on this machine is gone is stale at once",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Runs `ftk-tui`.

    Args:
        argv: The arguments, without the program name. Defaults to `sys.argv[1:]`.

    Returns:
        The exit status: 0, or the app's non-zero status after an error.
    """
    parser = _parser()
    args = parser.parse_args(argv)
    if args.refresh <= 0:
        parser.error(f"--refresh must be positive. Received: --refresh {args.refresh}")
    if args.compare is not None:
        if args.path is not None:
            parser.error(f"give a PATH or --compare RUN_A RUN_B, not both. Received: {args.path} and --compare")
        missing = [str(run) for run in args.compare if not run.is_dir()]
        if missing:
            parser.error(f"--compare needs two run directories; no such directory: {', '.join(missing)}")
    elif args.path is None:
        parser.error("give a run directory or a folder of runs (PATH), or --compare RUN_A RUN_B")
    elif not args.path.exists():
        parser.error(f"no such run directory or folder: {args.path}")
    path = args.path if args.compare is None else args.compare[0]
    compare = None if args.compare is None else (args.compare[0], args.compare[1])
    app = FtkTui(path, interval=args.refresh, stale_after=args.stale_after, compare=compare)
    app.run()
    return app.return_code or 0


if __name__ == "__main__":
    raise SystemExit(main())
