"""Files made to hurt a reader: refused quickly, within a bounded memory, with a short
message, and never by blocking on something that is not a file.

The figures the readers must meet: a CSV with a 1 MB field of digits refused in under a
second (the old number pattern took hours); the peak memory of any refused file under
10 x its size + 200 MB, measured in a fresh interpreter (resource.getrusage), where the old
readers took 1.0 to 1.8 GB for files of 0.5 to 48 MB.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import zipfile

import numpy as np
import pytest

from helpers import ROOT
from helpers.hostile import HOSTILE, csv_digit_field, json_extra_key, npz_meta_lists
from nnviz.core import files
from nnviz.core.config import Config
from nnviz.core.errors import FormatError
from nnviz.core.files.csv_rows import preview_csv
from nnviz.core.train.trainer import Trainer

READERS = {"csv": files.load_csv, "weights": files.import_weights, "session": files.load_session}


# -- time: no backtracking ------------------------------------------------------------------
@pytest.mark.parametrize("digits", [16_000, 60_000, 1_000_000])
def test_a_long_field_of_digits_is_refused_in_well_under_a_second(tmp_path, digits) -> None:
    """16,000 digits took the old pattern 4 s and 32,000 took 15.5 s; a megabyte, hours."""
    path = csv_digit_field(tmp_path, digits)
    start = time.perf_counter()
    with pytest.raises(FormatError, match="is not a number|longer than") as info:
        files.load_csv(path)
    assert time.perf_counter() - start < 1.0
    assert len(str(info.value)) < 200, str(info.value)


# -- memory: streaming and bounded expansion -------------------------------------------------
PEAK = """
import resource, sys
sys.path[:0] = {paths!r}
from nnviz.core import files
from nnviz.core.errors import FormatError
if {session!r}:
    import nnviz.core.files.session          # numba and the Trainer: not the file's cost
fn = getattr(files, {fn!r})
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    fn({path!r})
    outcome = "loaded"
except FormatError as exc:
    outcome = "refused: " + str(exc)[:100]
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(base * 1024, peak * 1024, outcome)
"""


def peak_bytes(path, reader: str, root=ROOT) -> tuple[int, int, str]:
    """(baseline, peak) resident bytes of a fresh interpreter loading path, and the outcome."""
    fn = {"csv": "load_csv", "weights": "import_weights", "session": "load_session"}[reader]
    code = PEAK.format(paths=[str(root)], session=reader == "session", fn=fn, path=str(path))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600,
                         env=env)
    assert run.returncode == 0, run.stderr
    base, peak, outcome = run.stdout.strip().split(" ", 2)
    return int(base), int(peak), outcome


@pytest.mark.parametrize("name,build,reader", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_refusing_a_hostile_file_costs_at_most_ten_times_its_size(tmp_path, name, build, reader) -> None:
    path = build(tmp_path)
    size = path.stat().st_size
    base, peak, outcome = peak_bytes(path, reader)
    assert outcome.startswith("refused"), outcome
    assert peak - base < 10 * size + 200 * 2**20, (name, size, peak - base, outcome)


def test_a_json_weights_file_is_bounded_before_parsing(tmp_path) -> None:
    """Below the size limit, a file of many containers or items is refused by counting."""
    big = json_extra_key(tmp_path, lists=16_000_000)
    with pytest.raises(FormatError, match="MB of JSON text"):
        files.import_weights(big)
    small = json_extra_key(tmp_path, lists=200_000)            # 600 kB, 200,000 lists
    with pytest.raises(FormatError, match="200,0.. JSON lists or objects"):
        files.import_weights(small)
    doc = json.loads(json_extra_key(tmp_path, lists=10).read_text())
    doc["junk"] = [0] * 1_100_000                               # 2.2 MB of items
    (tmp_path / "items.json").write_text(json.dumps(doc, separators=(",", ":")))
    with pytest.raises(FormatError, match="JSON items"):
        files.import_weights(tmp_path / "items.json")


def test_an_npz_meta_text_is_bounded_before_parsing(tmp_path) -> None:
    with pytest.raises(FormatError, match="unpacks to more than 32 MB"):
        files.import_weights(npz_meta_lists(tmp_path, lists=5_000_000))     # 60 MB as text
    with pytest.raises(FormatError, match="'meta' text unpacks to 11 MB"):
        files.import_weights(npz_meta_lists(tmp_path, lists=1_000_000))


def test_an_archive_listing_too_many_members_is_refused_from_its_end_record(tmp_path) -> None:
    path = tmp_path / "many.npz"
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(300):
            zf.writestr(f"a{i}.npy", b"")
    with pytest.raises(FormatError, match="lists 300 members"):
        files.import_weights(path)


# -- not a regular file --------------------------------------------------------------------
def _run_with_a_writer_fallback(fn, fifo) -> BaseException | None:
    """Run fn in a thread; if it blocks on the FIFO, open the other end to free it and fail."""
    result: list = []

    def target():
        try:
            fn(fifo)
            result.append(None)
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            result.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(5.0)
    if thread.is_alive():
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)
        thread.join(5.0)
        pytest.fail(f"{fn.__name__} blocked on a FIFO")
    return result[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.parametrize("reader,suffix", [
    (files.load_csv, ".csv"), (preview_csv, ".csv"), (files.import_weights, ".json"),
    (files.import_weights, ".npz"), (files.load_session, ".nnviz")])
def test_a_fifo_is_refused_without_blocking(tmp_path, reader, suffix) -> None:
    fifo = tmp_path / f"pipe{suffix}"
    os.mkfifo(fifo)
    exc = _run_with_a_writer_fallback(reader, fifo)
    assert isinstance(exc, FormatError) and "named pipe (FIFO)" in str(exc), exc


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero here")
@pytest.mark.parametrize("reader", [files.load_csv, files.read_bytes, preview_csv])
def test_a_device_is_refused(reader) -> None:
    with pytest.raises(FormatError, match="it is a device"):
        reader("/dev/zero")


def test_a_folder_is_refused(tmp_path) -> None:
    for reader, name in ((files.load_csv, "d.csv"), (files.import_weights, "d.json"),
                         (files.import_weights, "d.npz"), (files.load_session, "d.nnviz")):
        (tmp_path / name).mkdir()
        with pytest.raises(FormatError, match="it is a folder"):
            reader(tmp_path / name)


# -- short messages ----------------------------------------------------------------------
LONG = "A" * 100_000


@pytest.fixture(scope="module")
def session_parts(tmp_path_factory):
    path = tmp_path_factory.mktemp("s") / "s.nnviz"
    files.save_session(Trainer(Config()), path)
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    return json.loads(str(arrays.pop("meta")[()])), arrays


def _session_with(tmp_path, parts, change):
    meta, arrays = json.loads(json.dumps(parts[0])), dict(parts[1])
    change(meta, arrays)
    path = tmp_path / "long.nnviz"
    with open(path, "wb") as f:
        np.savez(f, meta=np.array(json.dumps(meta)), **arrays)
    return path


@pytest.mark.parametrize("what", [
    "csv_label", "csv_header", "csv_split", "json_format", "json_activation", "json_number",
    "session_dataset", "session_unknown_setting", "session_strings", "session_scalar_name",
    "session_format"])
def test_refusal_messages_quote_at_most_a_few_dozen_characters(tmp_path, session_parts, what) -> None:
    """A 100,000-character field gave a 100,093-character message box."""
    doc = json.loads((json_extra_key(tmp_path, lists=1)).read_text())
    doc.pop("junk")
    cases = {
        "csv_label": ("csv", f"x,y,label\n1,2,{LONG}\n"),
        "csv_header": ("csv", f"x,y,{LONG}\n1,2,1\n"),
        "csv_split": ("csv", f"x,y,label,split\n1,2,1,{LONG}\n"),
        "json_format": ("json", {**doc, "format": LONG}),
        "json_activation": ("json", {**doc, "activations": [LONG, "tanh"]}),
        "json_number": ("json", {**doc, "biases": [["1" * 5000]] + doc["biases"][1:]}),
    }
    if what in cases:
        kind, content = cases[what]
        path = tmp_path / f"long.{kind}"
        path.write_text(content if isinstance(content, str) else json.dumps(content))
        reader = files.load_csv if kind == "csv" else files.import_weights
    else:
        change = {
            "session_dataset": lambda m, a: m["config"].update(dataset=LONG),
            "session_unknown_setting": lambda m, a: m["config"].update({LONG: 1}),
            "session_strings": lambda m, a: m["strings"].update(output_kind=LONG),
            "session_scalar_name": lambda m, a: (m["scalars"].update({LONG[:60000]: "int"}),
                                                 a.update({LONG[:60000]: np.zeros(3)})),
            "session_format": lambda m, a: m["strings"].update(format=LONG),
        }[what]
        path = _session_with(tmp_path, session_parts, change)
        reader = files.load_session
    with pytest.raises(FormatError) as info:
        reader(path)
    text = str(info.value)
    assert len(text) < 250, (len(text), text[:300])
    assert "A" * 41 not in text, text
