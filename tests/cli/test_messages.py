"""`ftk`'s error and interruption messages: folded between words, commands to copy kept whole."""

from ftk.cli import main


def _stderr_lines(capsys):
    return capsys.readouterr().err.splitlines()


def test_an_error_keeps_its_command_on_one_line(tmp_path, capsys, monkeypatch):
    for width in range(40, 81, 5):
        monkeypatch.setenv("COLUMNS", str(width))
        assert main(["run", "--resume", str(tmp_path / "nowhere")]) == 1
        lines = _stderr_lines(capsys)
        assert lines[0].startswith("error: ")
        assert any("`ftk run --resume runs/<name>`" in line for line in lines), (width, lines)
        assert max(len(line) for line in lines if "nowhere" not in line) <= width


def test_an_error_shows_brackets_and_keeps_its_line_breaks(capsys, monkeypatch):
    def fail(args):
        raise ValueError("2 problems:\n  - [bold]a[/bold] is wrong\n  - b is wrong")

    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setattr("ftk.cli.recipes_command.command", fail)  # the parser takes it when built
    assert main(["recipes"]) == 1
    assert _stderr_lines(capsys)[:3] == ["error: ValueError: 2 problems:", "  - [bold]a[/bold] is wrong",
                                         "  - b is wrong"]


def test_multi_worker_without_tf_config_shows_this_runs_worker_command(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    run_dir = tmp_path / "mw"
    assert main(["run", "edst_demo", "--set", "run.strategy=multi_worker", "--run-dir", str(run_dir)]) == 1
    err = capsys.readouterr().err
    assert "needs the TF_CONFIG environment variable" in err
    assert f"`ftk run edst_demo --set run.strategy=multi_worker --run-dir {run_dir}`" in err
    assert "RECIPE" not in err and not run_dir.exists()
