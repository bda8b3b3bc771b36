"""Whether a TFDS dataset can be read now, or downloaded now, before TFDS tries.

TFDS retries a download for minutes on a machine without internet access; a
connection test of a few seconds to the download servers fails first, with a
message that says how to prepare the dataset elsewhere.
"""

from __future__ import annotations

import socket
import threading
import time
import urllib.request
from typing import Any
from urllib.parse import urlsplit

#: Datasets TFDS cannot download: they are built from archives downloaded by hand.
MANUAL_DOWNLOAD = ("imagenet2012",)
#: Seconds the connection test before a download waits for the download servers.
DOWNLOAD_PROBE_SECONDS = 5.0
_GCS = ("storage.googleapis.com", 443)  # TFDS's bucket, for datasets without known URLs
_MAX_HOSTS = 4


class DatasetNotPreparedError(FileNotFoundError):
    """A TFDS dataset is not prepared in its data folder and cannot be downloaded now.

    The message names the dataset, the folder (`data.data_dir` in a recipe) and
    the `tfds build` command that prepares it on a machine with internet access.
    """


def ensure_available(name: str, data_dir: str | None) -> None:
    """Checks that TFDS can read `name` from `data_dir`, or download it now.

    A dataset that is prepared passes at once. Otherwise it can only be
    downloaded into TFDS's default folder (`data_dir=None`, not ImageNet), and
    only when its download servers accept a connection within
    `DOWNLOAD_PROBE_SECONDS`. Under `tfds.testing.mock_data` every dataset passes.

    Args:
        name: A TFDS name, e.g. `"cifar10"` or `"cifar10_corrupted/brightness_1"`.
        data_dir: The TFDS data folder, or `None` for TFDS's default folder.

    Raises:
        DatasetNotPreparedError: when the dataset is neither prepared nor
            downloadable now; the message says how to prepare it.
    """
    import tensorflow_datasets as tfds

    builder = tfds.builder(name, data_dir=data_dir)
    if builder.is_prepared() or _download_is_mocked(builder):
        return
    if data_dir is not None:
        reason = "ftk downloads only when `data.data_dir` is not set"
    elif name.split("/")[0] in MANUAL_DOWNLOAD:
        reason = "it cannot be downloaded automatically"
    else:
        unreachable = _unreachable(_download_addresses(builder), DOWNLOAD_PROBE_SECONDS)
        if not unreachable:
            return
        reason = (f"it cannot be downloaded now: no connection to {', '.join(unreachable)} "
                  f"within {DOWNLOAD_PROBE_SECONDS:g} s")
    raise DatasetNotPreparedError(not_prepared_message(name, data_dir, builder.data_dir, reason))


def not_prepared_message(name: str, data_dir: str | None, version_dir: str, reason: str) -> str:
    """The message of a `DatasetNotPreparedError`: what is missing, why, and how to fix it."""
    if data_dir is None:
        where = f"TFDS's default folder ({version_dir}; `data.data_dir` is not set)"
    else:
        where = f"`data.data_dir` {data_dir} (looked for {version_dir})"
    if name.split("/")[0] in MANUAL_DOWNLOAD:
        command = f"`tfds build {name} --data_dir DIR --manual_dir DIR_WITH_THE_IMAGENET_TARS`"
    else:  # `tfds build` of tensorflow-datasets 4.9.10 also needs apache-beam installed
        command = (f"`tfds build {name} --data_dir DIR` (or `python -c \"import tensorflow_datasets as "
                   f"tfds; tfds.builder('{name}', data_dir='DIR').download_and_prepare()\"`)")
    return (
        f"TFDS dataset {name!r} is not prepared in {where}, and {reason}. Prepare it on a "
        f"machine with internet access with {command}, copy DIR to this machine and set "
        f"`data.data_dir: DIR` in the recipe (or pass `--set data.data_dir=DIR`; in Python, "
        f"`data_dir=DIR`)."
    )


def _download_is_mocked(builder: Any) -> bool:
    """Whether `tfds.testing.mock_data` replaces downloads (and reading) with fake data."""
    download = getattr(type(builder), "download_and_prepare", None)
    return getattr(download, "__module__", "").startswith("tensorflow_datasets.testing")


def _download_addresses(builder: Any) -> list[tuple[str, int]]:
    """The (host, port) of the servers a download of `builder` connects to first:
    those of its recorded URLs, through the proxy where one is set."""
    urls = sorted(builder.url_infos or ())
    addresses = []
    for url in urls:
        parts = urlsplit(url)
        if parts.hostname:
            address = (parts.hostname, parts.port or (80 if parts.scheme == "http" else 443))
            addresses.append(_through_proxy(address, parts.scheme))
    unique = list(dict.fromkeys(addresses))[:_MAX_HOSTS]
    return unique or [_through_proxy(_GCS, "https")]


def _through_proxy(address: tuple[str, int], scheme: str) -> tuple[str, int]:
    """The proxy's address when the environment sends `scheme` traffic to `address` through one."""
    proxy = urllib.request.getproxies().get(scheme)
    if not proxy or urllib.request.proxy_bypass(address[0]):
        return address
    parts = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
    if not parts.hostname:
        return address
    return parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)


def _unreachable(addresses: list[tuple[str, int]], timeout: float) -> list[str]:
    """The `host:port` of each address that takes no TCP connection within `timeout`
    seconds, name lookup included (all are tried at once)."""
    reached: set[tuple[str, int]] = set()

    def probe(address: tuple[str, int]) -> None:
        try:
            socket.create_connection(address, timeout=timeout).close()
            reached.add(address)
        except OSError:
            pass

    threads = [threading.Thread(target=probe, args=(a,), daemon=True) for a in addresses]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:  # a hung name lookup is left behind, not waited for
        thread.join(max(deadline - time.monotonic(), 0.0))
    return [f"{host}:{port}" for host, port in addresses if (host, port) not in reached]
