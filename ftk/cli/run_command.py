"""`ftk run RECIPE`: train a recipe's protocol into a run directory; `ftk run --resume DIR` continues one."""

from __future__ import annotations

import argparse
import signal
from pathlib import Path

from ftk.cli.run_report import print_result


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("run", help="train a recipe (writes runs/<name>/)")
    parser.add_argument("recipe", nargs="?",
                        help="a recipe file or the name of a shipped recipe; with --resume it may be "
                             "left out (the run folder's own recipe.yaml is used)")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="override a field, e.g. --set ensemble.members=5 (repeatable)")
    parser.add_argument("--run-dir", help="the run folder (default: <run.root>/<name>)")
    parser.add_argument("--resume", metavar="RUN_DIR",
                        help="continue an interrupted run from its folder (its recipe.yaml; a RECIPE "
                             "or --set given must match it but for learning rates and run settings)")
    parser.add_argument("--tui", action="store_true", help="train and watch the run in ftk-tui")
    parser.add_argument("--member", action="append", type=int, metavar="I",
                        help="train only member run I into the (shared) run folder, so several "
                             "processes or hosts can train one ensemble at once (repeatable: the "
                             "members are trained in turn); not for EDST")
    parser.add_argument("--parallel", type=int, metavar="N",
                        help="train the members in N local child processes at once (one GPU each "
                             "when there are GPUs), then summarise the ensemble; not for EDST")
    # For `--tui`'s trainer: the end of its standard input stops it like Ctrl-C (ftk/cli/watch.py).
    parser.add_argument("--stop-on-eof", action="store_true", help=argparse.SUPPRESS)
    parser.set_defaults(handler=command, usage_error=parser.error)


def command(args: argparse.Namespace) -> int:
    if args.recipe is None and not args.resume:
        args.usage_error("give a RECIPE to train (a file or a shipped name, see `ftk recipes`), "
                         "or --resume RUN_DIR to continue a run from its own recipe.yaml")

    from rich.console import Console

    from ftk.cli.progress import RichProgress
    from ftk.cli.recipe_models import build_recipe_model
    from ftk.protocols.runner import run_recipe
    from ftk.recipes import find_recipe, load_recipe

    file = find_recipe(args.recipe) if args.recipe is not None else _saved_recipe(args.resume)
    recipe = load_recipe(file, args.overrides)
    if recipe.run.strategy == "multi_worker":
        _join_workers(args, recipe)
    if args.member is not None or args.parallel is not None:
        _check_member_arguments(args, recipe)
    if args.parallel is not None:
        _leave_gpu_memory_to_the_children()
    if not args.resume:  # the checks of `ftk validate`, before anything is created
        build_recipe_model(recipe, str(file))
    _interrupt_on_sigterm()
    args.interrupted_hint = lambda: _continue_hint(args, recipe)  # what `ftk` prints on Ctrl-C
    console = Console()
    if args.parallel is not None:
        return _parallel(args, recipe, console)
    if args.tui:
        from ftk.cli.watch import watch_command

        return watch_command(args, recipe, console)
    progress = RichProgress(Console(stderr=True))
    result = run_recipe(
        recipe, args.resume or args.run_dir, resume=bool(args.resume),
        callbacks=[progress, *_stop_on_eof(args)], on_event=progress.on_event, members=args.member,
    )
    if args.member is not None:
        return _member_report(args, recipe, result, console)
    print_result(recipe, result, console)
    return 0


def _stop_on_eof(args: argparse.Namespace) -> list:
    """`--stop-on-eof` (the trainer of `--tui`): the end of standard input stops the run like Ctrl-C."""
    if not args.stop_on_eof:
        return []
    from ftk.cli.input_end import StopWhenInputEnds

    return [StopWhenInputEnds()]


def _saved_recipe(run_dir: str) -> Path:
    """The `recipe.yaml` of the run folder `run_dir`, for `ftk run --resume RUN_DIR` without a recipe."""
    from ftk.run_dir.paths import RECIPE

    file = Path(run_dir) / RECIPE
    if not file.is_file():
        problem = "does not exist" if not Path(run_dir).exists() else "has no recipe.yaml"
        raise FileNotFoundError(
            f"--resume '{run_dir}': the folder {problem}, so it holds no run to continue. Give the "
            "folder `ftk run` wrote (it starts with recipe.yaml), e.g. `ftk run --resume runs/<name>`."
        )
    return file


def _continue_hint(args: argparse.Namespace, recipe) -> str:
    """The command that continues this run after an interruption (or what to do instead)."""
    from ftk.protocols.run_directory import run_folder
    from ftk.run_dir.commands import resume_command
    from ftk.run_dir.paths import RECIPE

    path = run_folder(recipe, args.resume or args.run_dir)
    if not (path / RECIPE).is_file():
        return "Nothing was written yet: run the same command again."
    command = resume_command(path, parallel=args.parallel, members=args.member or ())
    return f"Continue with `{command}{' --tui' if args.tui else ''}`."


def _join_workers(args: argparse.Namespace, recipe) -> None:
    """Creates the multi-worker strategy: it must exist before any TensorFlow op runs."""
    from ftk.protocols.run_directory import run_folder

    for flag, given in (("--member", args.member is not None), ("--parallel", args.parallel is not None),
                        ("--tui", args.tui)):
        if given:
            raise ValueError(
                f"{flag} cannot be combined with run.strategy=multi_worker: every worker trains "
                f"every member together. Launch `ftk run` once per worker with its TF_CONFIG, "
                f"without {flag}, and watch with `ftk-tui {run_folder(recipe, args.resume or args.run_dir)}`."
            )
    from ftk.protocols.strategy import training_strategy

    try:
        training_strategy("multi_worker")
    except ValueError as error:  # TF_CONFIG missing or wrong: show this run's own command
        error.add_note(f"For this run, start on every worker, each with its own TF_CONFIG task index: "
                       f"`{_worker_command(args, recipe)}`")
        raise


def _worker_command(args: argparse.Namespace, recipe) -> str:
    """This `ftk run`, as every worker of a multi-worker run repeats it (one shared run folder)."""
    from ftk.protocols.run_directory import run_folder
    from ftk.run_dir.commands import ftk_run, resume_command

    path = run_folder(recipe, args.resume or args.run_dir)
    if args.resume:
        return resume_command(path)
    overrides = [a for override in args.overrides for a in ("--set", override)]
    return ftk_run(args.recipe, *overrides, "--run-dir", path)


def _check_member_arguments(args: argparse.Namespace, recipe) -> None:
    """Refuses `--member`/`--parallel` where they cannot work, before anything is created."""
    from ftk.protocols.runner import check_members

    if args.member is not None and args.parallel is not None:
        raise ValueError("Give --member or --parallel, not both: --parallel N starts the "
                         "`--member` processes itself.")
    if args.tui:
        from ftk.protocols.run_directory import run_folder

        raise ValueError("--tui watches one training process; with --member or --parallel, "
                         f"watch the run folder with `ftk-tui {run_folder(recipe, args.resume or args.run_dir)}` "
                         "instead.")
    if args.parallel is not None and args.parallel < 1:
        raise ValueError(f"--parallel needs at least 1 process, not {args.parallel}.")
    check_members(recipe, args.member if args.member is not None else [])


def _leave_gpu_memory_to_the_children() -> None:
    """Makes this process take GPU memory only as it needs it (TensorFlow takes it all by default).

    The parent of `--parallel` builds the model to check the recipe and
    evaluates the ensemble at the end, on GPUs its children train on.
    """
    import tensorflow as tf

    for gpu in tf.config.list_physical_devices("GPU"):
        try:
            tf.config.experimental.set_memory_growth(gpu, True)
        except (RuntimeError, ValueError):  # already initialised: nothing to do
            pass


def _member_count(recipe) -> int:
    from ftk.protocols import get_protocol

    return len(get_protocol(recipe.protocol).member_runs(recipe))


def _member_report(args: argparse.Namespace, recipe, result, console) -> int:
    """What `ftk run --member` prints: finished members, the ensemble so far, what is left."""
    for index in result.finished_before:
        console.print(f"Member {index} is already finished (its ticket is committed): nothing to train.")
    if result.member_accuracy:
        print_result(recipe, result, console)
    from ftk.run_dir.commands import resume_command

    committed = _committed(result.run_dir)
    left = [i for i in range(_member_count(recipe)) if i not in committed]
    if left:
        console.print(f"{len(committed)} of {len(committed) + len(left)} members are done; still to "
                      f"train: {', '.join(map(str, left))} (`{resume_command(result.run_dir, members=left)}`, "
                      "or one process per member).", highlight=False)
    else:
        console.print(f"Every member is done: evaluate the ensemble with `ftk eval {result.run_dir}`.")
    return 0


def _committed(path) -> set[int]:
    """The members whose ticket some readable state records (a broken state counts none)."""
    from ftk.run_dir.state import committed_tickets

    return set(committed_tickets(path, strict=False) or {})


def _parallel(args: argparse.Namespace, recipe, console) -> int:
    """`ftk run --parallel N`: members in N child processes, then the ensemble's summary once."""
    from ftk.cli.parallel import train_in_parallel
    from ftk.protocols import run_directory
    from ftk.protocols.runner import summarize_run
    from ftk.run_dir.commands import resume_command
    from ftk.run_dir.paths import member_home

    count = _member_count(recipe)
    if args.resume:
        path, recipe, _ = run_directory.reopen(args.resume, recipe)
    else:
        path = run_directory.join(recipe, args.run_dir)
        started = [i for i in range(count) if member_home(path, i).exists()]
        if started:
            raise FileExistsError(
                f"Member{'s' if len(started) > 1 else ''} {', '.join(map(str, started))} of '{path}' "
                f"{'were' if len(started) > 1 else 'was'} already started. Continue with "
                f"`{resume_command(path, parallel=args.parallel)}`."
            )
    failed = train_in_parallel(args.recipe, args.overrides, path, count, args.parallel,
                               bool(args.resume), console)
    if failed:
        committed = _committed(path)
        failed = [i for i in failed if i not in committed] or failed
        raise RuntimeError(
            f"Member{'s' if len(failed) > 1 else ''} {', '.join(map(str, failed))} failed (see the "
            f"logs above). Continue with `{resume_command(path, parallel=args.parallel)}`, or "
            f"`{resume_command(path, members=failed)}` for those members only."
        )
    print_result(recipe, summarize_run(recipe, path), console)
    return 0


def _interrupt_on_sigterm() -> None:
    """Makes SIGTERM (what job schedulers send) stop a run like Ctrl-C.

    The run then ends with a `run_end` event of status `interrupted`, and its
    last checkpoint is there to `--resume` from.
    """

    def interrupt(signum, frame):
        raise KeyboardInterrupt(f"stopped by {signal.Signals(signum).name}")

    signal.signal(signal.SIGTERM, interrupt)
