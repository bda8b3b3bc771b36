"""Tests for TFDS datasets, with `tfds.testing.mock_data` or a faked download (no network)."""

import os
import socket
import time

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402
import tensorflow_datasets as tfds  # noqa: E402

from ftk.data import DatasetNotPreparedError, load_data  # noqa: E402
from ftk.data import tfds_download  # noqa: E402
from ftk.data.tfds_source import load_tfds_arrays  # noqa: E402

CIFAR10_LABELS = "airplane automobile bird cat deer dog frog horse ship truck".split()


def _raw_test_images(name, count):
    (_, _), (x_test, y_test) = load_tfds_arrays(name)
    return x_test[:count], y_test[:count]


def test_cifar10_mock(tmp_path):
    with tfds.testing.mock_data(num_examples=40):
        splits = load_data("cifar10", batch_size=16, eval_batch_size=40, data_dir=str(tmp_path))
        x_raw, y_raw = _raw_test_images("cifar10", 40)
    info = splits.info
    assert (info.num_classes, info.input_shape) == (10, (32, 32, 3))
    assert (info.num_train, info.num_test) == (40, 40)
    assert info.mean == (0.4914, 0.4822, 0.4465) and info.std == (0.2470, 0.2435, 0.2616)
    assert splits.steps_per_epoch == 2
    batches = list(splits.train)
    assert [tuple(x.shape) for x, _ in batches] == [(16, 32, 32, 3)] * 2
    assert batches[0][0].dtype == tf.float32 and batches[0][1].dtype == tf.int32
    x, y = next(iter(splits.test))
    expected = (x_raw / 255.0 - np.array(info.mean)) / np.array(info.std)
    np.testing.assert_allclose(x.numpy(), expected, rtol=1e-4, atol=1e-5)
    np.testing.assert_array_equal(y.numpy(), y_raw)
    # CIFAR training images are augmented by default (mock train == mock test images).
    raw = {img.tobytes() for img in expected.astype(np.float32).round(4)}
    unchanged = [img.round(4).tobytes() in raw for img in batches[0][0].numpy()]
    assert sum(unchanged) < 12


def test_mnist_mock_no_augmentation_by_default():
    with tfds.testing.mock_data(num_examples=24):
        splits = load_data("mnist", batch_size=8)
        (x_train, _), _ = load_tfds_arrays("mnist")
    assert splits.info.input_shape == (28, 28, 1) and splits.info.mean == (0.1307,)
    normalised = ((x_train / 255.0 - 0.1307) / 0.3081).astype(np.float32)
    raw = {img.tobytes() for img in normalised.round(4)}
    for x, _ in splits.train:
        assert x.shape == (8, 28, 28, 1)
        assert all(img.round(4).tobytes() in raw for img in x.numpy())


def test_imagenet_mock_shapes():
    with tfds.testing.mock_data(num_examples=6):
        splits = load_data("imagenet2012", batch_size=4, limit=6)
    x, y = next(iter(splits.train))
    assert x.shape == (4, 224, 224, 3) and y.dtype == tf.int32
    assert splits.info.num_classes == 1000 and splits.steps_per_epoch == 1
    x_test, _ = next(iter(splits.test))
    assert x_test.shape == (4, 224, 224, 3)


@pytest.fixture
def default_data_dir(tmp_path, monkeypatch):
    """TFDS's default folder (`data_dir=None`), empty, under `tmp_path`."""
    folder = tmp_path / "tensorflow_datasets"
    monkeypatch.setattr(tfds.core.constants, "DATA_DIR", str(folder))
    return folder


@pytest.fixture
def no_download(monkeypatch):
    """Fails the test if TFDS starts a download."""
    def download_and_prepare(self, *args, **kwargs):
        raise AssertionError(f"TFDS started downloading {self.name}")

    monkeypatch.setattr(tfds.core.DatasetBuilder, "download_and_prepare", download_and_prepare)


@pytest.fixture
def network(monkeypatch):
    """Replaces TCP connections: `network.online` says whether they succeed, or hang
    with `network.hang`; `network.tried` lists the (host, port) tried."""
    class Network:
        online, hang, tried = False, False, []

    def create_connection(address, timeout=None, *args, **kwargs):
        Network.tried.append(tuple(address))
        if Network.hang:
            time.sleep(60)
        if not Network.online:
            raise socket.gaierror(-2, "Name or service not known")
        return socket.socket()  # closed at once by the probe

    monkeypatch.setattr(socket, "create_connection", create_connection)
    for name in ("http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    return Network


def _cifar10_archive(folder):
    """Writes what TFDS extracts from `cifar-10-binary.tar.gz`: 4 images per file."""
    batches = folder / "cifar-10-batches-bin"
    batches.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for name in [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]:
        records = [bytes([i]) + rng.integers(0, 256, 3072, dtype=np.uint8).tobytes() for i in range(4)]
        (batches / name).write_bytes(b"".join(records))
    (batches / "batches.meta.txt").write_text("\n".join(CIFAR10_LABELS) + "\n")
    return folder


def test_unprepared_dataset_in_data_dir_is_not_downloaded(tmp_path, no_download, network):
    with pytest.raises(DatasetNotPreparedError) as raised:
        load_data("cifar10", data_dir=str(tmp_path))
    message = str(raised.value)
    assert isinstance(raised.value, FileNotFoundError)
    assert "'cifar10'" in message and f"`data.data_dir` {tmp_path}" in message
    assert "`tfds build cifar10 --data_dir DIR`" in message and "--set data.data_dir=DIR" in message
    assert network.tried == []


def test_offline_download_fails_fast_with_how_to_prepare(default_data_dir, no_download, network):
    start = time.monotonic()
    with pytest.raises(DatasetNotPreparedError) as raised:
        load_data("cifar10")
    assert time.monotonic() - start < 30
    message = str(raised.value)
    assert "'cifar10'" in message and str(default_data_dir) in message
    assert "`data.data_dir` is not set" in message and "no connection to www.cs.toronto.edu:443" in message
    assert "`tfds build cifar10 --data_dir DIR`" in message and "set `data.data_dir: DIR`" in message
    assert network.tried == [("www.cs.toronto.edu", 443)]


def test_a_hung_connection_test_is_cut_short(default_data_dir, no_download, network, monkeypatch):
    monkeypatch.setattr(tfds_download, "DOWNLOAD_PROBE_SECONDS", 0.5)
    network.hang = True
    start = time.monotonic()
    with pytest.raises(DatasetNotPreparedError, match="within 0.5 s"):
        load_data("mnist")
    assert time.monotonic() - start < 5
    assert network.tried == [("storage.googleapis.com", 443)]


def test_imagenet_is_never_downloaded(default_data_dir, no_download, network):
    with pytest.raises(DatasetNotPreparedError, match="cannot be downloaded automatically") as raised:
        load_data("imagenet2012", limit=8)
    assert "`tfds build imagenet2012 --data_dir DIR --manual_dir DIR_WITH_THE_IMAGENET_TARS`" in str(raised.value)
    assert network.tried == []


def test_online_download_runs_the_real_tfds_preparation(tmp_path, default_data_dir, network, monkeypatch):
    archive = _cifar10_archive(tmp_path / "extracted")
    monkeypatch.setattr(tfds.download.DownloadManager, "download_and_extract", lambda self, url: str(archive))
    network.online = True
    splits = load_data("cifar10", batch_size=4)
    assert (splits.info.num_train, splits.info.num_test) == (20, 4)
    assert network.tried == [("www.cs.toronto.edu", 443)]
    assert (default_data_dir / "cifar10" / "3.0.2" / "dataset_info.json").is_file()
    network.online, network.tried = False, []
    (_, y_train), (x_test, y_test) = load_tfds_arrays("cifar10")  # prepared: no connection test
    assert network.tried == [] and sorted(y_test) == [0, 1, 2, 3] and x_test.shape == (4, 32, 32, 3)


def test_connection_test_goes_to_the_proxy(default_data_dir, network, monkeypatch):
    monkeypatch.setenv("https_proxy", "http://proxy.example:3128")
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    assert tfds_download._download_addresses(tfds.builder("cifar10")) == [("proxy.example", 3128)]
    monkeypatch.setenv("no_proxy", "www.cs.toronto.edu")
    assert tfds_download._download_addresses(tfds.builder("cifar10")) == [("www.cs.toronto.edu", 443)]


def _streamed_epochs(order_seed, first_epoch, epochs=1, global_seed=None):
    """Labels and images of `epochs` ImageNet epochs from `train_from(first_epoch, order_seed)`."""
    if global_seed is not None:
        tf.random.set_seed(global_seed)  # as `keras.utils.set_random_seed` does before `fit`
    with tfds.testing.mock_data(num_examples=24):
        splits = load_data("imagenet2012", batch_size=8, limit=24, seed=0)
        batches = list(splits.train_from(first_epoch, order_seed=order_seed).take(3 * epochs))
    labels = np.stack([y.numpy() for _, y in batches]).reshape(epochs, -1)
    return labels, np.stack([x.numpy() for x, _ in batches])


def test_streamed_members_differ_in_data_order():
    first, _ = _streamed_epochs(order_seed=1, first_epoch=0)
    second, _ = _streamed_epochs(order_seed=2, first_epoch=0)
    assert sorted(first[0]) == sorted(second[0])  # the same examples ...
    assert not np.array_equal(first, second)  # ... in another order


def test_streamed_order_is_reproducible_per_seed_and_epoch():
    labels, images = _streamed_epochs(order_seed=1, first_epoch=0, epochs=2)
    again, _ = _streamed_epochs(order_seed=1, first_epoch=0, epochs=2)
    np.testing.assert_array_equal(labels, again)
    assert not np.array_equal(labels[0], labels[1])  # epochs differ
    # Resumed at epoch 1 in a new pipeline (and under another global seed): same batches.
    resumed, resumed_images = _streamed_epochs(order_seed=1, first_epoch=1, global_seed=5)
    np.testing.assert_array_equal(resumed[0], labels[1])
    np.testing.assert_allclose(resumed_images, images[3:])  # same augmentation too


def test_streamed_files_are_shuffled_per_member_and_epoch():
    def as_dataset(self, split, decoders=None, read_config=None, shuffle_files=False):
        # The label reveals the file-shuffle seed (-1: files not shuffled).
        seed = read_config.shuffle_seed if shuffle_files and read_config else None
        label = -1 if seed is None else tf.cast(seed, tf.int64) % 1000
        example = {"image": tf.zeros((8, 8, 3), tf.uint8), "label": label, "file_name": ""}
        return tf.data.Dataset.from_tensors(example).repeat(8)

    def file_seed(order_seed, epoch):
        with tfds.testing.mock_data(num_examples=8, as_dataset_fn=as_dataset):
            splits = load_data("imagenet2012", batch_size=8, limit=8)
            return int(next(iter(splits.train_from(epoch, order_seed=order_seed)))[1][0])

    seeds = [file_seed(1, 0), file_seed(2, 0), file_seed(1, 1), file_seed(1, 0)]
    assert min(seeds) >= 0 and seeds[0] == seeds[3]
    assert len(set(seeds[:3])) == 3  # members and epochs read files in their own order
