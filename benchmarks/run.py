"""The benchmark of SPEC §9: ftdata against its references, measured side by side in one run.

    python -m benchmarks.run [--size 200MB] [--repeat 3] [--quick] [--no-together]
                             [--data generated|corpus|both]

It measures two files of the same size: the generator's (``benchmarks/generate.py``) and the
chat texts of ``../shared/corpus/`` repeated (``benchmarks/corpus.py``), so the figures hold
on real text too. It makes the data once (cached by seed and size), then runs every contender
in turn, ``--repeat`` rounds with the order rotated each round, and compares medians:

* tokens: ``ftdata validate --model gpt-4o-mini --output-format json --jobs N`` (the JSON report
  shows every example's count, so every token is counted) against a bare loop calling
  tiktoken's ``encode_ordinary`` (o200k_base, loaded as ftdata loads it) over the same
  message texts, extracted beforehand and not timed, in N processes, for N = 1 and 2;
* scaling: ``--jobs 2`` against ``--jobs 1``, tokens on;
* structure: ``ftdata validate --no-tokens`` against ``together.utils.check_file`` of
  together 1.5.35, installed into a virtual environment of its own under the cache folder.
  check_file stops at the first problem it finds, so both read a plain variant of the data
  (system, user and assistant turns, no tool calls, no defects) that it accepts to the end;
* peak RSS of the ftdata process tree on the large file;
* the end-to-end latency of a 100-line file, with and without tokens.

ftdata is timed end to end (a subprocess: start-up, reading, every rule, the report); the
references only for their own work (the encoding loop; the ``check_file`` call), which favours
them. Each figure is printed as a ratio against its reference, with its goal.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import pickle
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from benchmarks.corpus import dataset as corpus_dataset
from benchmarks.generate import GENERATOR_VERSION, generate, parse_size

MB = 1 << 20
TOGETHER_REQUIREMENT = "together==1.5.35"
MODEL = "gpt-4o-mini"
ENCODING = "o200k_base"
LATENCY_LINES = 100
#: The options of the large-file runs with tokens. The JSON report shows every example's
#: count (the text output counts only the examples that could reach the limit), so these runs
#: count every token, as the bare loop does.
TOKENS = ("--model", MODEL, "--output-format", "json")

#: The goals of SPEC §9.
TOKENS_RATIO_GOAL = 0.8
SCALING_GOAL = 1.8
TOGETHER_RATIO_GOAL = 1.0
TOGETHER_JOBS1_RATIO_GOAL = 0.5
RSS_GOAL_MB = 250.0
LATENCY_TOKENS_GOAL = 0.2
LATENCY_NO_TOKENS_GOAL = 0.1

#: Run by the Together environment's interpreter: times the check alone, not the import.
_TOGETHER_SCRIPT = """
import json, sys, time
from together.utils import check_file
start, cpu = time.perf_counter(), time.process_time()
report = check_file(sys.argv[1])
elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
print(json.dumps({"seconds": elapsed, "cpu": cpu, "passed": report.get("is_check_passed"),
                  "samples": report.get("num_samples"), "message": report.get("message")}))
"""


# -- data --------------------------------------------------------------------------------------


def default_cache_dir() -> Path:
    return Path(os.environ.get("FTDATA_BENCH_CACHE")
                or Path(tempfile.gettempdir()) / "ftdata-bench")


def dataset(cache: Path, size: int, seed: int, *, plain: bool = False) -> Path:
    """The generated file for (size, seed), made once and kept in ``cache``.

    The name carries the generator's version, so files of an older generator are never reused.
    """
    path = cache / f"{'plain' if plain else 'chat'}-v{GENERATOR_VERSION}-seed{seed}-{size}.jsonl"
    if not path.exists():
        partial = path.with_suffix(".partial")
        generate(str(partial), size, seed, plain=plain)
        partial.replace(path)
    return path


def head_lines(source: Path, target: Path, count: int) -> Path:
    if not target.exists():
        with source.open("rb") as read, target.open("wb") as write:
            for index, line in enumerate(read):
                if index >= count:
                    break
                write.write(line)
    return target


def message_texts(path: Path) -> list[str]:
    """The text of every message of every record that parses (what the tokenizer sees)."""
    import orjson

    texts: list[str] = []
    with path.open("rb") as stream:
        for line in stream:
            try:
                record = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue
            messages = record.get("messages") if isinstance(record, dict) else None
            for message in messages if isinstance(messages, list) else ():
                content = message.get("content") if isinstance(message, dict) else None
                if isinstance(content, str):
                    texts.append(content)
                elif isinstance(content, list):
                    texts.extend(part["text"] for part in content
                                 if isinstance(part, dict) and isinstance(part.get("text"), str))
    return texts


# -- contenders -------------------------------------------------------------------------------


class Sample(NamedTuple):
    """One run: wall seconds, CPU seconds of every process involved, peak RSS (MB) if known."""

    seconds: float
    cpu: float
    rss_mb: float | None = None


@dataclass
class Timing:
    """The runs of one contender."""

    samples: list[Sample] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(sample.seconds for sample in self.samples)

    @property
    def best(self) -> float:
        return min(sample.seconds for sample in self.samples)

    @property
    def cpu(self) -> float:
        return statistics.median(sample.cpu for sample in self.samples)

    @property
    def rss_mb(self) -> list[float]:
        return [sample.rss_mb for sample in self.samples if sample.rss_mb is not None]


def child_environment(cache: Path) -> dict[str, str]:
    """The environment of the timed commands: as the caller's, except that Python may keep
    its compiled modules (in the cache folder), as it does for an installed package."""
    environment = dict(os.environ)
    if environment.pop("PYTHONDONTWRITEBYTECODE", None) is not None:
        environment.setdefault("PYTHONPYCACHEPREFIX", str(cache / "pycache"))
    environment["TOGETHER_NO_BANNER"] = "1"
    return environment


def run_timed(command: Sequence[str], environment: dict[str, str]) -> tuple[Sample, str]:
    """Wall and CPU seconds and peak RSS of one command's process tree, and its stdout."""
    with tempfile.TemporaryFile() as output:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.PIPE,
                                   env=environment)
        assert process.stderr is not None
        errors = process.stderr.read()
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        text = output.read().decode("utf-8", "replace")
    if process.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}): "
                           f"{errors.decode('utf-8', 'replace').strip()[-2000:]}")
    # The usage covers the process and the workers it waited for; ru_maxrss is the largest
    # of them, in kilobytes on Linux (bytes on macOS).
    scale = 1 if sys.platform == "darwin" else 1024
    return Sample(elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * scale / MB), text


def ftdata_command(path: Path, *options: str) -> list[str]:
    return [sys.executable, "-m", "ftdata", "validate", str(path), "--quiet", *options]


# The texts live in the processes of the bare loop only: a large benchmark process would make
# every command it starts look large too (a forked child's peak RSS counts what it inherited).
_TEXTS: list[str] = []


def _prepare_texts(chat: str, target: str) -> dict[str, Any]:
    """Extract the message texts of ``chat`` into a pickle; their count, size and shares."""
    texts = message_texts(Path(chat))
    partial = target + ".partial"
    with open(partial, "wb") as out:
        pickle.dump(texts, out, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(partial, target)
    return {"texts": len(texts),
            "mb": sum(len(text.encode("utf-8", "surrogatepass")) for text in texts) / MB,
            "shares": {str(parts): _shares(texts, parts) for parts in (1, 2)}}


def texts_file(cache: Path, chat: Path) -> tuple[Path, dict[str, Any]]:
    """The pickled texts of ``chat`` and what is known of them, made once (in a worker)."""
    target = cache / (chat.stem + ".texts.pickle")
    about = cache / (chat.stem + ".texts.json")
    if not (target.exists() and about.exists()):
        with multiprocessing.get_context("fork").Pool(1) as pool:
            info = pool.apply(_prepare_texts, (str(chat), str(target)))
        about.write_text(json.dumps(info))
    return target, json.loads(about.read_text())


def _load_texts(path: str, barrier: Any) -> None:
    global _TEXTS, _BARRIER
    from ftdata.tokens import load_encoding

    with open(path, "rb") as stream:
        _TEXTS = pickle.load(stream)
    load_encoding(ENCODING)
    _BARRIER = barrier


_BARRIER: Any = None


def _ready(_: int) -> None:
    _BARRIER.wait()  # returns once every process has loaded the texts and the encoding


def _encode_share(bounds: tuple[int, int]) -> float:
    """Encode one share of the texts; the CPU seconds it took."""
    from ftdata.tokens import load_encoding

    encode = load_encoding(ENCODING).encode_ordinary
    start = time.process_time()
    for text in _TEXTS[bounds[0]:bounds[1]]:
        encode(text)
    return time.process_time() - start


def _shares(texts: list[str], parts: int) -> list[tuple[int, int]]:
    """Contiguous slices of ``texts`` with about the same number of characters each."""
    total = sum(map(len, texts))
    bounds: list[tuple[int, int]] = []
    start = done = 0
    for index, text in enumerate(texts):
        done += len(text)
        if done * parts >= total * (len(bounds) + 1) and len(bounds) < parts - 1:
            bounds.append((start, index + 1))
            start = index + 1
    bounds.append((start, len(texts)))
    return bounds


class BareLoop:
    """tiktoken's ``encode_ordinary`` over the texts in ``processes`` processes, which load the
    texts and the encoding (as ftdata loads it) before the clock starts."""

    def __init__(self, texts: Path, shares: list[tuple[int, int]]) -> None:
        self.texts = texts
        self.shares = [(int(start), int(end)) for start, end in shares]

    def __call__(self) -> Sample:
        context = multiprocessing.get_context("fork")
        processes = len(self.shares)
        barrier = context.Barrier(processes)
        with context.Pool(processes, initializer=_load_texts,
                          initargs=(str(self.texts), barrier)) as pool:
            pool.map(_ready, range(processes), chunksize=1)
            start = time.perf_counter()
            cpu = pool.map(_encode_share, self.shares, chunksize=1)
            elapsed = time.perf_counter() - start
        return Sample(elapsed, sum(cpu))


def requirement_python(cache: Path, requirement: str,
                       environment: dict[str, str]) -> Path | None:
    """The interpreter of a virtual environment of its own holding ``requirement`` (a pinned
    pip requirement such as ``together==1.5.35``), made under ``cache`` on first use; None
    (with the reason on stderr) when it cannot be installed."""
    venv = cache / requirement.replace("==", "-")
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    marker = venv / ".installed"
    if marker.exists():
        return python
    shutil.rmtree(venv, ignore_errors=True)
    print(f"installing {requirement} into {venv} ...", file=sys.stderr)
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True,
                       capture_output=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", requirement],
                       check=True, capture_output=True, env=environment)
    except (OSError, subprocess.CalledProcessError) as error:
        detail = getattr(error, "stderr", b"") or b""
        print(f"cannot install {requirement}: {error} "
              f"{detail.decode('utf-8', 'replace').strip()[-500:]}", file=sys.stderr)
        return None
    marker.write_text(requirement + "\n")
    return python


def together_python(cache: Path, environment: dict[str, str]) -> Path | None:
    """The interpreter of a virtual environment holding together 1.5.35, made on first use."""
    return requirement_python(cache, TOGETHER_REQUIREMENT, environment)


# -- the run -----------------------------------------------------------------------------------


@dataclass
class Figure:
    name: str
    value: float
    reference: float | None
    ratio: float
    goal: str
    passed: bool
    detail: str = ""


def rotate(items: list[Any], turn: int) -> list[Any]:
    shift = turn % len(items) if items else 0
    return items[shift:] + items[:shift]


def measure(contenders: dict[str, Callable[[], Sample]], rounds: int) -> dict[str, Timing]:
    """Every contender once per round, in an order rotated each round."""
    timings = {name: Timing() for name in contenders}
    names = list(contenders)
    for turn in range(rounds):
        for name in rotate(names, turn):
            sample = contenders[name]()
            timings[name].samples.append(sample)
            print(f"  round {turn + 1}/{rounds}  {name:<36} {sample.seconds:8.3f} s wall "
                  f"{sample.cpu:8.3f} s CPU  load {os.getloadavg()[0]:.2f}", file=sys.stderr)
    return timings


def machine(environment: dict[str, str], together: Path | None) -> dict[str, Any]:
    from importlib.metadata import PackageNotFoundError, version

    def installed(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "not installed"

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from ftdata.parallel import available_cores

    info: dict[str, Any] = {
        "cpu": cpu, "cores": os.cpu_count(), "usable_cores": available_cores(),
        "python": platform.python_version(), "platform": platform.platform(),
        "ftdata": installed("ftdata"), "tiktoken": installed("tiktoken"),
        "orjson": installed("orjson"),
        "together": TOGETHER_REQUIREMENT.split("==")[1] if together else "not measured",
        "compiled_modules": ("kept in " + environment["PYTHONPYCACHEPREFIX"])
        if "PYTHONPYCACHEPREFIX" in environment else "as the environment says",
    }
    return info


#: The data sets a run can measure: the generator's file, and the corpus's chat texts
#: repeated to the same size (SPEC §9 asks for both).
DATA_SETS = ("generated", "corpus")


#: The name a baseline contender takes: the same as the current one, marked.
BASELINE = "baseline"


def run(size: int, seed: int, rounds: int, cache: Path, *, with_together: bool,
        latency_rounds: int, data: Sequence[str] = DATA_SETS,
        baseline: Path | None = None) -> dict[str, Any]:
    cache.mkdir(parents=True, exist_ok=True)
    environment = child_environment(cache)
    environments = {"": environment}
    if baseline is not None:
        # Another ftdata's sources (a checkout's ``src``) ahead of this one's, timed in the
        # same rounds as this one: a before/after comparison under the same load.
        environments[BASELINE] = {**environment, "PYTHONPATH": os.pathsep.join(
            [str(baseline.resolve()), *filter(None, [environment.get("PYTHONPATH")])])}
    print(f"data: {size / MB:.0f} MB, seed {seed}, in {cache}", file=sys.stderr)
    files: dict[str, tuple[Path, Path]] = {}
    if "generated" in data:
        files["generated"] = (dataset(cache, size, seed), dataset(cache, size, seed, plain=True))
    if "corpus" in data:
        files["corpus"] = (corpus_dataset(cache, size), corpus_dataset(cache, size, plain=True))
    # The 100-line file is the head of the generator's file (of the corpus's, when only the
    # corpus is measured); its size does not matter.
    if "generated" in files:
        source, name = files["generated"][0], f"chat-v{GENERATOR_VERSION}-seed{seed}"
    else:
        source = files["corpus"][0]
        name = source.stem.rsplit("-", 1)[0]
    small = head_lines(source, cache / f"{name}-{LATENCY_LINES}-lines.jsonl", LATENCY_LINES)
    together = together_python(cache, environment) if with_together else None

    def ftdata(path: Path, *options: str, version: str = "") -> Callable[[], Sample]:
        command = ftdata_command(path, *options)
        return lambda: run_timed(command, environments[version])[0]

    def together_check(plain: Path) -> Callable[[], Sample]:
        def check() -> Sample:
            assert together is not None
            _, output = run_timed([str(together), "-c", _TOGETHER_SCRIPT, str(plain)],
                                  environment)
            outcome = json.loads(output.strip().splitlines()[-1])
            if not outcome["passed"]:
                raise RuntimeError(f"check_file stopped early on {plain.name}: "
                                   f"{outcome['message']}")
            return Sample(float(outcome["seconds"]), float(outcome["cpu"]))
        return check

    load = [round(value, 2) for value in os.getloadavg()]
    # Warm up: compiled modules, the page cache, the tokenizer cache.
    for options in (("--no-tokens",), ("--model", MODEL)):
        for warm in environments.values():
            run_timed(ftdata_command(small, *options), warm)
    contenders: dict[str, Callable[[], Sample]] = {}
    about_data: dict[str, dict[str, Any]] = {}
    for label, (chat, plain) in files.items():
        texts, about = texts_file(cache, chat)
        about_data[label] = {"file": chat.name, "size_mb": round(chat.stat().st_size / MB, 1),
                             "plain_size_mb": round(plain.stat().st_size / MB, 1),
                             "text_mb": round(about["mb"], 1), "texts": about["texts"]}
        loops = {processes: BareLoop(texts, about["shares"][str(processes)])
                 for processes in (1, 2)}
        contenders.update({
            f"{label}: ftdata tokens --jobs 1": ftdata(chat, *TOKENS, "--jobs", "1"),
            f"{label}: tiktoken loop, 1 process": loops[1],
            f"{label}: ftdata tokens --jobs 2": ftdata(chat, *TOKENS, "--jobs", "2"),
            f"{label}: tiktoken loop, 2 processes": loops[2],
            f"{label}: ftdata --no-tokens (plain)": ftdata(plain, "--no-tokens"),
            f"{label}: ftdata --no-tokens --jobs 1 (plain)": ftdata(plain, "--no-tokens",
                                                                    "--jobs", "1"),
        })
        if together is not None:
            contenders[f"{label}: together check_file (plain)"] = together_check(plain)
        if baseline is not None:
            contenders.update({
                f"{label}: {BASELINE} tokens --jobs 1": ftdata(
                    chat, *TOKENS, "--jobs", "1", version=BASELINE),
                f"{label}: {BASELINE} tokens --jobs 2": ftdata(
                    chat, *TOKENS, "--jobs", "2", version=BASELINE),
                f"{label}: {BASELINE} --no-tokens (plain)": ftdata(
                    plain, "--no-tokens", version=BASELINE),
                f"{label}: {BASELINE} --no-tokens --jobs 1 (plain)": ftdata(
                    plain, "--no-tokens", "--jobs", "1", version=BASELINE)})
    print("timing the large files ...", file=sys.stderr)
    timings = measure(contenders, rounds)
    print("timing the 100-line file ...", file=sys.stderr)
    small_contenders = {"latency with tokens": ftdata(small, "--model", MODEL),
                        "latency without tokens": ftdata(small, "--no-tokens")}
    if baseline is not None:
        small_contenders.update({
            f"{BASELINE} latency with tokens": ftdata(small, "--model", MODEL,
                                                      version=BASELINE),
            f"{BASELINE} latency without tokens": ftdata(small, "--no-tokens",
                                                         version=BASELINE)})
    latency = measure(small_contenders, latency_rounds)
    every = {**timings, **latency}
    results = {name: timing.median for name, timing in every.items()}
    figures: list[Figure] = []
    for label in files:
        chat, plain = files[label]
        figures += _figures(label, results, timings, chat.stat().st_size / MB,
                            plain.stat().st_size / MB)
    figures += _latency_figures(results)
    return {"machine": {**machine(environment, together), "load_average": load},
            "data": {"seed": seed, "rounds": rounds, "latency_rounds": latency_rounds,
                     "latency_file": small.name, **about_data},
            "medians": {name: round(value, 4) for name, value in results.items()},
            "cpu_medians": {name: round(timing.cpu, 4) for name, timing in every.items()},
            "figures": [figure.__dict__ for figure in figures],
            "baseline": None if baseline is None else {
                "sources": str(baseline), "rows": _comparison(every)}}


def _comparison(timings: dict[str, Timing]) -> list[dict[str, Any]]:
    """Each ftdata contender against its baseline: wall and CPU medians, peak RSS."""
    rows = []
    for name, before in timings.items():
        if f"{BASELINE} " not in name:
            continue
        label, _, rest = name.rpartition(f"{BASELINE} ")
        mine = f"{label}{'ftdata ' if label else ''}{rest}"
        if mine not in timings:
            continue
        after = timings[mine]
        rows.append({"name": mine, "wall_before": round(before.median, 3),
                     "wall_after": round(after.median, 3),
                     "cpu_before": round(before.cpu, 3), "cpu_after": round(after.cpu, 3),
                     "rss_before": max(before.rss_mb, default=None),
                     "rss_after": max(after.rss_mb, default=None)})
    return rows


def _figures(label: str, results: dict[str, float], timings: dict[str, Timing],
             chat_mb: float, plain_mb: float) -> list[Figure]:
    """The figures of one data set; the names of its contenders start with ``label: ``."""
    def key(name: str) -> str:
        return f"{label}: {name}"

    def mbps(name: str, size: float) -> str:
        return f"{size / results[key(name)]:.1f} MB/s"

    def cpu_ratio(reference: str, mine: str) -> str:
        # CPU seconds do not count the time a busy machine kept the processes waiting.
        return f"CPU-time ratio {timings[key(reference)].cpu / timings[key(mine)].cpu:.2f}x"

    figures = []
    for processes in (1, 2):
        mine, loop = f"ftdata tokens --jobs {processes}", (
            f"tiktoken loop, {processes} process" + ("es" if processes > 1 else ""))
        ratio = results[key(loop)] / results[key(mine)]
        figures.append(Figure(
            f"{label}: tokens on, {processes} process{'es' if processes > 1 else ''}",
            results[key(mine)], results[key(loop)], ratio, f">= {TOKENS_RATIO_GOAL}x",
            ratio >= TOKENS_RATIO_GOAL,
            f"{mbps(mine, chat_mb)} vs {mbps(loop, chat_mb)} of file; {cpu_ratio(loop, mine)}"))
    one, two = timings[key("ftdata tokens --jobs 1")], timings[key("ftdata tokens --jobs 2")]
    scaling = one.median / two.median
    figures.append(Figure(f"{label}: --jobs 2 vs --jobs 1, tokens on", two.median, one.median,
                          scaling, f">= {SCALING_GOAL}x", scaling >= SCALING_GOAL,
                          f"best runs {one.best:.2f} s vs {two.best:.2f} s: "
                          f"{one.best / two.best:.2f}x"))
    together = key("together check_file (plain)")
    if together in results:
        reference = results[together]
        for name, goal in (("ftdata --no-tokens (plain)", TOGETHER_RATIO_GOAL),
                           ("ftdata --no-tokens --jobs 1 (plain)", TOGETHER_JOBS1_RATIO_GOAL)):
            ratio = reference / results[key(name)]
            figures.append(Figure(
                f"{label}: " + name.replace("ftdata ", "").replace(" (plain)", "")
                + " vs check_file", results[key(name)], reference, ratio, f">= {goal}x",
                ratio >= goal,
                f"{mbps(name, plain_mb)} vs {plain_mb / reference:.1f} MB/s; "
                f"{cpu_ratio('together check_file (plain)', name)}"))
    rss = max(rss for name in ("ftdata tokens --jobs 1", "ftdata tokens --jobs 2",
                               "ftdata --no-tokens (plain)",
                               "ftdata --no-tokens --jobs 1 (plain)")
              for rss in timings[key(name)].rss_mb)
    figures.append(Figure(f"{label}: peak RSS on {_size(chat_mb)} (MB)", rss, RSS_GOAL_MB,
                          rss / RSS_GOAL_MB, f"< {RSS_GOAL_MB:.0f} MB", rss < RSS_GOAL_MB))
    return figures


def _latency_figures(results: dict[str, float]) -> list[Figure]:
    figures = []
    for name, goal in (("latency with tokens", LATENCY_TOKENS_GOAL),
                       ("latency without tokens", LATENCY_NO_TOKENS_GOAL)):
        figures.append(Figure(f"{name}, {LATENCY_LINES} lines (s)", results[name], goal,
                              results[name] / goal, f"< {goal} s", results[name] < goal))
    return figures


def _size(megabytes: float) -> str:
    return f"{megabytes:.0f} MB" if megabytes >= 10 else f"{megabytes * 1024:.0f} KB"


def render(outcome: dict[str, Any]) -> str:
    lines = ["machine: " + ", ".join(f"{key} {value}" for key, value in
                                     outcome["machine"].items()),
             "data: " + ", ".join(f"{key} {value}" for key, value in outcome["data"].items()),
             "",
             f"{'figure':<40} {'ftdata':>9} {'reference':>10} {'ratio':>7}  {'goal':<9} result",
             "-" * 90]
    for figure in outcome["figures"]:
        reference = "" if figure["reference"] is None else f"{figure['reference']:.3f}"
        lines.append(f"{figure['name']:<40} {figure['value']:>9.3f} {reference:>10} "
                     f"{figure['ratio']:>6.2f}x  {figure['goal']:<9} "
                     f"{'pass' if figure['passed'] else 'FAIL'}"
                     + (f"  ({figure['detail']})" if figure["detail"] else ""))
    if outcome.get("baseline"):
        lines += ["", f"against the baseline {outcome['baseline']['sources']} (same rounds):",
                  f"{'contender':<52} {'wall before':>11} {'after':>7} {'CPU before':>10} "
                  f"{'after':>7} {'speed-up (CPU)':>14}"]
        for row in outcome["baseline"]["rows"]:
            lines.append(f"{row['name']:<52} {row['wall_before']:>11.3f} "
                         f"{row['wall_after']:>7.3f} {row['cpu_before']:>10.3f} "
                         f"{row['cpu_after']:>7.3f} "
                         f"{row['cpu_before'] / row['cpu_after']:>13.2f}x")
    lines += ["", "medians (s): " + ", ".join(f"{name} {value}" for name, value in
                                              outcome["medians"].items()),
              "CPU medians (s): " + ", ".join(f"{name} {value}" for name, value in
                                              outcome["cpu_medians"].items())]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run",
                                     description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--size", type=parse_size, default=None,
                        help="size of the generated file (default 200MB, 16MB with --quick)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=None,
                        help="rounds of every contender (default 3, 1 with --quick)")
    parser.add_argument("--quick", action="store_true",
                        help="a short run: a smaller file, one round")
    parser.add_argument("--no-together", dest="together", action="store_false",
                        help="leave out Together's check_file (no virtual environment)")
    parser.add_argument("--data", choices=(*DATA_SETS, "both"), default="both",
                        help="the generator's file, the corpus's chat texts repeated to the "
                             "same size, or both (default)")
    parser.add_argument("--baseline", type=Path, default=None, metavar="SRC",
                        help="also time another ftdata's sources (a checkout's src folder) in "
                             "the same rounds, and print before/after")
    parser.add_argument("--cache-dir", type=Path, default=None,
                        help="where data and the Together environment are kept "
                             "(default: $FTDATA_BENCH_CACHE or <tmp>/ftdata-bench)")
    parser.add_argument("--json", type=Path, default=None, metavar="PATH",
                        help="also write the results as JSON")
    args = parser.parse_args(argv)
    size = args.size if args.size is not None else (16 * MB if args.quick else 200 * MB)
    rounds = args.repeat if args.repeat is not None else (1 if args.quick else 3)
    if rounds < 1:
        parser.error("--repeat must be at least 1")
    try:
        outcome = run(size, args.seed, rounds, args.cache_dir or default_cache_dir(),
                      with_together=args.together,
                      latency_rounds=3 if args.quick else max(5, 2 * rounds),
                      data=DATA_SETS if args.data == "both" else (args.data,),
                      baseline=args.baseline)
    except (RuntimeError, OSError) as error:
        print(f"benchmark failed: {error}", file=sys.stderr)
        return 1
    print(render(outcome))
    if args.json is not None:
        args.json.write_text(json.dumps(outcome, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
