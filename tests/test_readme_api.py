"""The README's Python API example runs as written and does what its comments say."""

from __future__ import annotations

import re

from helpers import ROOT

README = ROOT / "README.md"


def api_example() -> str:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Python API"):]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_readme_api_example_runs_without_qt(capsys) -> None:
    namespace: dict = {}
    exec(compile(api_example(), str(README), "exec"), namespace)   # the README's own text
    trainer = namespace["trainer"]
    epoch, train, test = capsys.readouterr().out.split()              # what the print showed
    assert int(epoch) == trainer.epoch == 601 and trainer.batch == 0   # 1 batch, then 1 + 100 + 500 epochs
    assert float(train) < 0.01 and float(test) < 0.01                 # circle with 4-2 is learned
    assert namespace["w"][0].shape == (4, 2) and namespace["b"][1].shape == (2,)
    assert namespace["y"].shape == (2,) and trainer.network.weights[0][2, 1] == 0.75
    drawn, gone = namespace["drawn"], namespace["gone"]
    assert drawn.total_steps == 7 and namespace["stroke"].added == 2
    assert len(drawn.train_x) + len(drawn.test_x) == 2000 - gone.removed and gone.removed > 0
    assert gone.settings[0]["dataset"] == "spiral" and drawn.config.dataset == "custom"   # undone, then erased


def test_readme_timeline_and_runs_example_runs_as_written(capsys, tmp_path, monkeypatch) -> None:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("Going back in time, and runs side by side, from Python"):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(code, str(README), "exec"), namespace)
    first, second = capsys.readouterr().out.splitlines()
    assert first == "[0, 1, 2, 3, 4, 5] 64"
    trainer, runs = namespace["trainer"], namespace["runs"]
    from nnviz.core import Config, Trainer, files
    straight = Trainer(Config(dataset="spiral", hidden_layers=(8, 8)))
    straight.train_epochs(300)
    assert namespace["epoch"] <= 100 and trainer.epoch == 300
    assert trainer.network.params.tobytes() == straight.network.params.tobytes()
    assert runs.names() == ["SGD", "momentum", "Adam"] and second.startswith("['SGD', 'momentum', 'Adam']")
    assert [t.epoch for t in runs.trainers] == [100] * 3
    assert len(files.load_runs(tmp_path / "three.nnviz").trainers) == 3


def test_readme_landscape_example_runs_and_its_comments_hold() -> None:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Python API"):]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    first, second = blocks[0], next(b for b in blocks if "loss_landscape(" in b)
    namespace: dict = {}
    exec(compile(first, str(README), "exec"), namespace)
    trainer = namespace["trainer"]
    before = trainer.network.params.copy()
    lines = second.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("path = PathRecorder()"))
    exec(compile("\n".join(lines[:at]), str(README), "exec"), namespace)        # the planes: no step taken
    assert (trainer.network.params == before).all()
    exec(compile("\n".join(lines), str(README), "exec"), namespace)
    a, b, z = namespace["a"], namespace["b"], namespace["Z"]
    assert a.shape == b.shape == (21,) and z.shape == (21, 21) and (a[0], a[-1]) == (-2, 1)
    centre = namespace["loss_landscape"](trainer, namespace["d1"], namespace["d2"], 1.0, 41)[2][20, 20]
    assert centre == trainer.train_loss                                          # "the centre is the weights now"
    assert namespace["path"].capacity == 256 and len(namespace["path"]) == 50
    assert namespace["xy"].shape == (50, 2) and abs(namespace["xy"][-1]).max() < 1e-12
    line = namespace["line"]
    assert line.t.shape == line.loss.shape == line.batch_loss.shape and line.step_t > 0
