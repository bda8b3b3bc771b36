"""Inference latency and peak memory of a dense model, one ticket and a ticket ensemble.

Prints JSON. For each architecture (LeNet-300-100 on 28x28x1, WRN-16-2 on
32x32x3) it builds one dense model and `--members` tickets (`ftk.sparsify`,
ERK, `--density`, then `ftk.strip`, so the kernels are dense arrays with
zeros) and times, at batch 1 and 256, in these runtimes:

* TensorFlow (`tf.function`, graph mode): `dense`, `ticket`, `ensemble`
  (`ftk.Ensemble(tickets).to_keras()`, all members in one call) and, for
  MLPs, `ensemble_fused` (the members' first `Dense` layers share the input,
  so they run as one matmul with the kernels side by side; the later layers
  as one batched matmul), `ensemble_csr` (every `Dense` kernel as a
  `CSRSparseMatrix`, activations kept features-major so no transposes
  between layers) and `ensemble_fused_csr` (the fused first layer as one
  CSR matrix, the rest CSR per member).
* TensorFlow with XLA (`jit_compile=True`): `xla_dense`, `xla_ensemble`
  and, for MLPs, `xla_ensemble_fused`.
* TensorFlow Lite (`--threads` threads), with its default XNNPACK delegate
  (`tflite_*`) and, for MLPs, without it (`tflite_builtin_*`, TFLite's own
  kernels, in case they read sparse weights where XNNPACK densifies): `dense`, `ticket`,
  `ensemble`, `ensemble_sparse` (converted with
  `Optimize.EXPERIMENTAL_SPARSITY`, which stores the kernels sparse) and, for
  MLPs, `ensemble_fused` and `ensemble_blockdiag` (one MLP: kernels side by
  side, then block-diagonal; also a TensorFlow variant).

Every ratio divides an ensemble variant by the dense model of the same
runtime; the runtimes are timed one after another, each with only its own
models alive. Before timing, every ensemble variant must predict what
`ftk.Ensemble(tickets).predict` predicts (`--tolerance`, absolute), so a
fast but wrong path cannot win. Rounds alternate the variants so that all see
the same machine state; each variant is warmed up first.

Peak memory: TensorFlow's allocations are invisible to `tracemalloc`, so each
variant runs in a fresh child process (this script with `--variant`) that
loads the saved models or flatbuffer, runs three batches of 256 and reports
its peak RSS; the peak RSS of a child that only imports TensorFlow, Keras and
ftk is subtracted.

Usage:
    python benchmarks/inference.py [--quick] [--archs lenet_300_100,wrn_16_2] [--members 3]
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from _harness import environment, median  # noqa: E402
from tensorflow.python.ops.linalg.sparse import sparse_csr_matrix_ops as csr  # noqa: E402

import ftk  # noqa: E402

tf.get_logger().setLevel("ERROR")  # one tf.function per variant and batch size retraces by design

ARCHS: dict[str, tuple[Callable[..., keras.Model], tuple[int, ...]]] = {
    "lenet_300_100": (lambda seed: ftk.models.lenet_300_100(seed=seed), (28, 28, 1)),
    "wrn_16_2": (lambda seed: ftk.models.wide_resnet(depth=16, width=2, seed=seed), (32, 32, 3)),
}
BATCHES = (1, 256)
TF_VARIANTS = ("dense", "ticket", "ensemble", "ensemble_fused", "ensemble_blockdiag", "ensemble_csr",
               "ensemble_fused_csr")
TFLITE_MODELS = ("dense", "ticket", "ensemble", "ensemble_sparse", "ensemble_fused", "ensemble_blockdiag")
XLA_VARIANTS = ("dense", "ensemble", "ensemble_fused")
MLP_ONLY = ("ensemble_fused", "ensemble_blockdiag", "ensemble_csr", "ensemble_fused_csr")
CORE_MEMORY = ("dense", "ticket", "ensemble", "tflite_dense", "tflite_ensemble")
DENSE_SEED = 100  # the dense model is not one of the tickets' initializations


# ----------------------------------------------------------------------------- models


def build_models(arch: str, members: int, density: float) -> tuple[keras.Model, list[keras.Model]]:
    """The dense model and `members` stripped tickets (seeds 0..members-1)."""
    build, _ = ARCHS[arch]
    dense = build(DENSE_SEED)
    tickets = [ftk.strip(ftk.sparsify(build(i), density=density, distribution="erk", seed=i))
               for i in range(members)]
    return dense, tickets


def is_mlp(model: keras.Model) -> bool:
    """Whether `model` is input, flatten, then only `Dense` (and dropout) layers."""
    kinds = {type(layer) for layer in model.layers}
    return kinds <= {keras.layers.InputLayer, keras.layers.Flatten, keras.layers.Dense, keras.layers.Dropout}


def dense_layers(model: keras.Model) -> list[tuple[np.ndarray, np.ndarray, Callable]]:
    """(kernel, bias, activation) of each `Dense` layer of an MLP, in order."""
    return [(layer.kernel.numpy(), layer.bias.numpy(), layer.activation)
            for layer in model.layers if isinstance(layer, keras.layers.Dense)]


def softmax_unless_probabilities(model: keras.Model, logits):
    last = model.layers[-1]
    if isinstance(last, keras.layers.Softmax) or getattr(last, "activation", None) is keras.activations.softmax:
        return logits
    return tf.nn.softmax(logits, axis=-1)


def keras_fn(model: keras.Model, jit_compile: bool = False) -> Callable:
    return tf.function(lambda x: model(x, training=False), autograph=False, jit_compile=jit_compile)


def fused_mlp_fn(tickets: list[keras.Model]) -> Callable:
    """The ensemble of MLP tickets as one first matmul and batched later matmuls."""
    layers = [dense_layers(t) for t in tickets]
    m, width = len(tickets), layers[0][0][0].shape[1]
    w1 = tf.constant(np.concatenate([ls[0][0] for ls in layers], axis=1))  # (in, m * width)
    b1 = tf.constant(np.concatenate([ls[0][1] for ls in layers]))
    act1 = layers[0][0][2]
    rest = [(tf.constant(np.stack([ls[j][0] for ls in layers])),  # (m, in, out)
             tf.constant(np.stack([ls[j][1] for ls in layers])[:, None, :]),  # (m, 1, out)
             layers[0][j][2]) for j in range(1, len(layers[0]))]

    @tf.function(autograph=False)
    def fn(x):
        h = act1(tf.matmul(tf.reshape(x, (tf.shape(x)[0], -1)), w1) + b1)  # (batch, m * width)
        h = tf.transpose(tf.reshape(h, (-1, m, width)), (1, 0, 2))  # (m, batch, width)
        for w, b, act in rest:
            h = act(tf.matmul(h, w) + b)
        return tf.reduce_mean(tf.nn.softmax(h, axis=-1), axis=0)

    return fn


def block_diagonal_mlp_fn(tickets: list[keras.Model]) -> Callable:
    """The ensemble of MLP tickets as one MLP: kernels side by side, then block-diagonal.

    As many matmuls as one member; the later layers multiply zeros off the
    diagonal blocks (small next to the first layer for LeNet-300-100).
    """
    layers = [dense_layers(t) for t in tickets]
    m, classes = len(tickets), layers[0][-1][0].shape[1]

    def block_diagonal(blocks):
        rows, cols = sum(b.shape[0] for b in blocks), sum(b.shape[1] for b in blocks)
        out, r, c = np.zeros((rows, cols), np.float32), 0, 0
        for b in blocks:
            out[r:r + b.shape[0], c:c + b.shape[1]] = b
            r, c = r + b.shape[0], c + b.shape[1]
        return out

    fused = [(tf.constant(np.concatenate([ls[0][0] for ls in layers], axis=1)),
              tf.constant(np.concatenate([ls[0][1] for ls in layers])), layers[0][0][2])]
    fused += [(tf.constant(block_diagonal([ls[j][0] for ls in layers])),
               tf.constant(np.concatenate([ls[j][1] for ls in layers])), layers[0][j][2])
              for j in range(1, len(layers[0]))]

    @tf.function(autograph=False)
    def fn(x):
        h = tf.reshape(x, (tf.shape(x)[0], -1))
        for w, b, act in fused:
            h = act(tf.matmul(h, w) + b)
        return tf.reduce_mean(tf.nn.softmax(tf.reshape(h, (-1, m, classes)), axis=-1), axis=1)

    return fn


def csr_mlp_fn(tickets: list[keras.Model], fuse_first: bool) -> Callable:
    """The ensemble of MLP tickets with every kernel a `CSRSparseMatrix`.

    Activations are kept features-major, `(features, batch)`, so each layer is
    `csr(kernel.T) @ h` with no transposes in between.
    """
    layers = [dense_layers(t) for t in tickets]
    width = layers[0][0][0].shape[1]

    def as_csr(kernel: np.ndarray):
        return csr.CSRSparseMatrix(tf.constant(np.ascontiguousarray(kernel.T)))

    per_member = [[(as_csr(w), tf.constant(b[:, None]), act) for w, b, act in ls] for ls in layers]
    first = None
    if fuse_first:
        first = (as_csr(np.concatenate([ls[0][0] for ls in layers], axis=1)),
                 tf.constant(np.concatenate([ls[0][1] for ls in layers])[:, None]), layers[0][0][2])

    @tf.function(autograph=False)
    def fn(x):
        xt = tf.transpose(tf.reshape(x, (tf.shape(x)[0], -1)))  # (in, batch)
        if first is not None:
            c, b, act = first
            h1 = act(csr.matmul(c, xt) + b)
        probs = []
        for index, member in enumerate(per_member):
            if first is not None:
                h, todo = h1[index * width:(index + 1) * width], member[1:]
            else:
                h, todo = xt, member
            for c, b, act in todo:
                h = act(csr.matmul(c, h) + b)
            probs.append(tf.nn.softmax(h, axis=0))
        return tf.transpose(tf.add_n(probs) / len(probs))

    return fn


def tf_variant(name: str, dense: keras.Model, tickets: list[keras.Model]) -> Callable:
    if name.startswith("xla_"):  # the same graph, compiled by XLA
        fn = tf_variant(name[len("xla_"):], dense, tickets)
        return tf.function(fn.python_function, autograph=False, jit_compile=True)
    if name == "dense":
        return keras_fn(dense)
    if name == "ticket":
        return keras_fn(tickets[0])
    if name == "ensemble":
        return keras_fn(ftk.Ensemble(tickets).to_keras())
    if name == "ensemble_fused":
        return fused_mlp_fn(tickets)
    if name == "ensemble_blockdiag":
        return block_diagonal_mlp_fn(tickets)
    if name == "ensemble_csr":
        return csr_mlp_fn(tickets, fuse_first=False)
    if name == "ensemble_fused_csr":
        return csr_mlp_fn(tickets, fuse_first=True)
    raise ValueError(name)


def tflite_flatbuffer(name: str, dense: keras.Model, tickets: list[keras.Model]) -> bytes:
    optimizations = []
    if name in ("ensemble_fused", "ensemble_blockdiag"):
        fn = fused_mlp_fn(tickets) if name == "ensemble_fused" else block_diagonal_mlp_fn(tickets)
        spec = tf.TensorSpec((None, *tickets[0].inputs[0].shape[1:]), tf.float32)
        converter = tf.lite.TFLiteConverter.from_concrete_functions([fn.get_concrete_function(spec)], fn)
    else:
        if name == "dense":
            model = dense
        elif name == "ticket":
            model = tickets[0]
        else:
            model = ftk.Ensemble(tickets).to_keras()
        converter = tf.lite.TFLiteConverter.from_keras_model(model)
        if name == "ensemble_sparse":
            optimizations = [tf.lite.Optimize.EXPERIMENTAL_SPARSITY]
    converter.optimizations = optimizations
    with contextlib.redirect_stdout(sys.stderr):  # the converter prints; stdout is the JSON
        return converter.convert()


def tflite_fn(flatbuffer: bytes, batch: int, threads: int, xnnpack: bool) -> Callable:
    resolver = (tf.lite.experimental.OpResolverType.AUTO if xnnpack
                else tf.lite.experimental.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    with warnings.catch_warnings():  # tf.lite.Interpreter is deprecated for ai_edge_litert
        warnings.simplefilter("ignore", UserWarning)
        interpreter = tf.lite.Interpreter(model_content=flatbuffer, num_threads=threads,
                                          experimental_op_resolver_type=resolver)
    inp = interpreter.get_input_details()[0]
    interpreter.resize_tensor_input(inp["index"], [batch, *inp["shape"][1:]])
    interpreter.allocate_tensors()
    out = interpreter.get_output_details()[0]["index"]

    def fn(x: np.ndarray) -> np.ndarray:
        interpreter.set_tensor(inp["index"], x)
        interpreter.invoke()
        return interpreter.get_tensor(out)

    return fn


def tflite_parts(variant: str) -> tuple[str, bool]:
    """`tflite_ensemble` -> ("ensemble", xnnpack=True); `tflite_builtin_dense` -> ("dense", False)."""
    if variant.startswith("tflite_builtin_"):
        return variant[len("tflite_builtin_"):], False
    return variant[len("tflite_"):], True


def variants_for(arch: str, mlp: bool) -> list[str]:
    names = [v for v in TF_VARIANTS if mlp or v not in MLP_ONLY]
    names += [f"xla_{v}" for v in XLA_VARIANTS if mlp or v not in MLP_ONLY]
    names += [f"tflite_{v}" for v in TFLITE_MODELS if mlp or v not in MLP_ONLY]
    if mlp:  # the builtin kernels are slow for convolutions; their sparse path is for FULLY_CONNECTED
        names += [f"tflite_builtin_{v}" for v in ("dense", "ensemble", "ensemble_sparse")]
    return names


def runtime_dense(variant: str) -> str:
    """The dense model of `variant`'s runtime, the denominator of its ratio."""
    if variant.startswith("tflite_builtin_"):
        return "tflite_builtin_dense"
    if variant.startswith("xla_"):
        return "xla_dense"
    return "tflite_dense" if variant.startswith("tflite_") else "dense"


def make_callables(variants, dense, tickets, flatbuffers, batch, threads) -> dict[str, Callable]:
    """`variant -> f(x: np.ndarray) -> np.ndarray` at batch size `batch`."""
    calls = {}
    for variant in variants:
        if variant.startswith("tflite_"):
            model, xnnpack = tflite_parts(variant)
            calls[variant] = tflite_fn(flatbuffers[model], batch, threads, xnnpack)
        else:
            fn = tf_variant(variant, dense, tickets)
            calls[variant] = lambda x, fn=fn: fn(tf.constant(x)).numpy()
    return calls


# ----------------------------------------------------------------------------- timing


def time_rounds(calls: dict[str, Callable], x: np.ndarray, repeats: int, rounds: int,
                round_budget_s: float) -> dict[str, float]:
    """Median latency (ms) of each callable; rounds alternate the callables."""
    for fn in calls.values():  # warm-up: trace, allocate, and estimate the cost of a call
        fn(x)
    estimate = {}
    for name, fn in calls.items():
        start = time.perf_counter()
        fn(x)
        estimate[name] = time.perf_counter() - start
    times = {name: [] for name in calls}
    for _ in range(rounds):
        for name, fn in calls.items():
            time.sleep(0.02)  # let the previous runtime's worker threads stop spinning
            n = int(min(repeats, max(3, round_budget_s / max(estimate[name], 1e-6))))
            for _ in range(n):
                start = time.perf_counter()
                fn(x)
                times[name].append(time.perf_counter() - start)
    return {name: round(1e3 * median(t), 4) for name, t in times.items()}


# ----------------------------------------------------------------------------- memory


def peak_rss_mb() -> float:
    """This process's peak RSS in MB.

    `VmHWM` rather than `ru_maxrss`: Linux carries the parent's peak RSS into
    `ru_maxrss` across fork and exec, so a child of a big parent reads the parent's.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def child_peak_rss_mb(variant: str, artifacts: Path, args) -> float:
    cmd = [sys.executable, __file__, "--variant", variant, "--artifacts", str(artifacts),
           "--members", str(args.members), "--threads", str(args.threads)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"memory child {variant} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])["peak_rss_mb"]


def run_child(args) -> None:
    """Builds one variant from the saved artifacts, runs three batches of 256, prints peak RSS."""
    if args.variant != "baseline":
        arch, variant = args.variant.split(":")
        root = Path(args.artifacts) / arch
        x = np.random.default_rng(0).random((256, *ARCHS[arch][1]), dtype=np.float32)
        if variant.startswith("tflite_"):
            model, xnnpack = tflite_parts(variant)
            fn = tflite_fn((root / f"{model}.tflite").read_bytes(), 256, args.threads, xnnpack)
        else:
            load = keras.saving.load_model
            model = variant.removeprefix("xla_")
            dense = load(root / "dense.keras") if model == "dense" else None
            count = 1 if model == "ticket" else args.members
            tickets = [] if model == "dense" else [load(root / f"ticket_{i}.keras") for i in range(count)]
            tf_fn = tf_variant(variant, dense, tickets)
            fn = lambda x: tf_fn(tf.constant(x)).numpy()  # noqa: E731
        for _ in range(3):
            fn(x)
    print(json.dumps({"variant": args.variant, "peak_rss_mb": peak_rss_mb()}))


# ----------------------------------------------------------------------------- main


def bench_arch(arch: str, args, artifacts: Path) -> dict:
    dense, tickets = build_models(arch, args.members, args.density)
    mlp = is_mlp(dense)
    variants = variants_for(arch, mlp)
    if args.variants:  # the chosen ones and the dense model of each one's runtime
        chosen = set(args.variants.split(","))
        chosen |= {runtime_dense(v) for v in chosen}
        variants = [v for v in variants if v in chosen]
    root = artifacts / arch
    root.mkdir(parents=True)
    dense.save(root / "dense.keras")
    for i, ticket in enumerate(tickets):
        ticket.save(root / f"ticket_{i}.keras")
    start = time.perf_counter()
    models = sorted({tflite_parts(v)[0] for v in variants if v.startswith("tflite_")})
    flatbuffers = {m: tflite_flatbuffer(m, dense, tickets) for m in models}
    for model, content in flatbuffers.items():
        (root / f"{model}.tflite").write_bytes(content)
    convert_s = time.perf_counter() - start

    # Correctness: every ensemble variant predicts what ftk.Ensemble predicts.
    rng = np.random.default_rng(1)
    x_check = rng.random((256, *ARCHS[arch][1]), dtype=np.float32)
    reference = ftk.Ensemble(tickets).predict(x_check, batch_size=256)
    errors = {}
    for batch in BATCHES:
        calls = make_callables([v for v in variants if "ensemble" in v], dense, tickets, flatbuffers,
                               batch, args.threads)
        for variant, fn in calls.items():
            err = float(np.max(np.abs(fn(x_check[:batch]) - reference[:batch])))
            errors[variant] = max(errors.get(variant, 0.0), err)
            assert err <= args.tolerance, (
                f"{arch} {variant} at batch {batch}: max |p - ftk.Ensemble.predict| = {err:.3g} "
                f"> {args.tolerance}")

    latency, ratios = {}, {}
    for batch in BATCHES:
        x = rng.random((batch, *ARCHS[arch][1]), dtype=np.float32)
        ms = {}
        # One runtime at a time, with only its callables alive, so that no runtime's idle
        # worker threads or arenas sit next to another's; the ratios divide within a runtime.
        for runtime in dict.fromkeys(runtime_dense(v) for v in variants):
            group = [v for v in variants if runtime_dense(v) == runtime]
            calls = make_callables(group, dense, tickets, flatbuffers, batch, args.threads)
            ms.update(time_rounds(calls, x, args.repeats, args.rounds, args.round_budget))
            del calls
            gc.collect()
        latency[str(batch)] = ms = {v: ms[v] for v in variants}
        ratios[str(batch)] = {f"{v}/{runtime_dense(v)}": round(ms[v] / ms[runtime_dense(v)], 4)
                              for v in variants if "ensemble" in v}

    memory = {}
    if args.memory != "none":
        wanted = variants if args.memory == "all" else [v for v in variants if v in CORE_MEMORY]
        for variant in wanted:
            memory[variant] = child_peak_rss_mb(f"{arch}:{variant}", artifacts, args)

    return {
        "mlp": mlp,
        "params_dense": int(dense.count_params()),
        "ticket_density": [round(_nonzero_density(t), 4) for t in tickets],
        "tflite_bytes": {m: len(c) for m, c in flatbuffers.items()},
        "tflite_convert_s": round(convert_s, 2),
        "max_abs_error_vs_ftk_ensemble": {k: float(f"{v:.3g}") for k, v in errors.items()},
        "latency_ms": latency,
        "ratios": ratios,
        "peak_rss_mb": memory,
    }


def _nonzero_density(model: keras.Model) -> float:
    """Fraction of nonzero kernel entries over the layers `ftk.sparsify` masks (Dense, Conv)."""
    kernels = [layer.kernel.numpy() for layer in model.layers
               if isinstance(layer, (keras.layers.Dense, keras.layers.Conv2D))]
    return sum(int(np.count_nonzero(k)) for k in kernels) / sum(k.size for k in kernels)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archs", default="lenet_300_100,wrn_16_2",
                        help=f"comma-separated, of {', '.join(ARCHS)}")
    parser.add_argument("--members", type=int, default=3)
    parser.add_argument("--density", type=float, default=0.2)
    parser.add_argument("--repeats", type=int, default=50, help="most timed calls per variant and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--round-budget", type=float, default=0.4,
                        help="seconds of calls per variant and round (at least 3 calls)")
    parser.add_argument("--variants", default="",
                        help="comma-separated subset of the variants (default: all that apply)")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="TFLite threads")
    parser.add_argument("--tolerance", type=float, default=1e-5)
    parser.add_argument("--memory", choices=("all", "core", "none"), default="all",
                        help=f"peak RSS of every variant, of {', '.join(CORE_MEMORY)}, or none")
    parser.add_argument("--target", type=float, default=1.5,
                        help="bound on ensemble/dense latency, LeNet-300-100 at batch 256")
    parser.add_argument("--quick", action="store_true",
                        help="LeNet-300-100 only, 2 rounds, few repeats, core memory figures")
    parser.add_argument("--variant", help=argparse.SUPPRESS)  # child process: ARCH:VARIANT or baseline
    parser.add_argument("--artifacts", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.variant:
        run_child(args)
        return {}
    if args.quick:
        args.archs, args.rounds, args.repeats, args.round_budget = "lenet_300_100", 2, 20, 0.1
        args.memory = "core" if args.memory == "all" else args.memory
    archs = [a for a in args.archs.split(",") if a]
    unknown = set(archs) - set(ARCHS)
    if unknown:
        parser.error(f"unknown archs {sorted(unknown)}; choose from {sorted(ARCHS)}")

    start, load_start = time.perf_counter(), os.getloadavg()[0]
    results = {}
    with tempfile.TemporaryDirectory(prefix="ftk_inference_") as tmp:
        baseline = child_peak_rss_mb("baseline", Path(tmp), args) if args.memory != "none" else None
        for arch in archs:
            results[arch] = bench_arch(arch, args, Path(tmp))
            if baseline is not None:
                results[arch]["peak_rss_mb"] = {k: round(v - baseline, 1)
                                                for k, v in results[arch]["peak_rss_mb"].items()}

    report = {
        "benchmark": "inference",
        "members": args.members,
        "density": args.density,
        "distribution": "erk",
        "batches": list(BATCHES),
        "rounds": args.rounds,
        "repeats": args.repeats,
        "tflite_threads": args.threads,
        "tolerance": args.tolerance,
        "baseline_peak_rss_mb": baseline,
        "peak_rss_note": "MB above a child that only imports TF, Keras and ftk; three batches of 256",
        "archs": results,
    }
    if "lenet_300_100" in results:
        report["target"] = target(results["lenet_300_100"], args.target)
    report["environment"] = environment()
    # Other processes on the machine inflate absolute latencies; ratios alternate within a runtime.
    report["environment"]["loadavg_1min"] = {"start": load_start, "end": os.getloadavg()[0]}
    report["wall_s"] = round(time.perf_counter() - start, 1)
    print(json.dumps(report, indent=2))
    return report


def target(lenet: dict, bound: float) -> dict:
    """The best ensemble/dense ratio at batch 256, like with like, and against the fastest dense."""
    ms, ratios = lenet["latency_ms"]["256"], lenet["ratios"]["256"]
    best = min(ratios, key=ratios.get)
    fastest_dense = min((v for v in ms if v.endswith("dense")), key=ms.get)
    fastest_ensemble = min((v for v in ms if "ensemble" in v), key=ms.get)
    return {
        "arch": "lenet_300_100",
        "batch": 256,
        "bound": bound,
        "best_ratio_same_runtime": {"variant": best, "ratio": ratios[best]},
        "fastest_ensemble_vs_fastest_dense": {
            "ensemble": fastest_ensemble, "dense": fastest_dense,
            "ratio": round(ms[fastest_ensemble] / ms[fastest_dense], 4)},
        "target_met": ratios[best] <= bound,
        "target_met_vs_fastest_dense": ms[fastest_ensemble] / ms[fastest_dense] <= bound,
    }


if __name__ == "__main__":
    main()
