# ruff: noqa: E501  (child-process code and case tables read better unwrapped)
"""The broken and hostile inputs of issue 14, run against a checkout: how many fail loudly.

Run ``python -m benchmarks.hostile_cases [REPO]`` (default: this checkout). Each case runs in a
child process (CLI or Python API) under a memory limit (RLIMIT_AS) and a timeout, and is
classified: ``loud`` (refused with a one-line error naming the file or field, or the expected
exit code: 1 for a claim that must fail, 2 for an input error; or, for the NIR read-out case,
correct output), ``traceback``, ``silent/wrong`` (accepted, or a wrong exit code) or ``hang``.
The tests in ``tests/hostile/`` are the regression tests; this script is the before/after count.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

REPO = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parents[1]).resolve()
PY = sys.executable
ENV = {**os.environ, "PYTHONPATH": str(REPO)}
ROOT = Path(tempfile.mkdtemp(prefix="probe14-"))
results = []


def cli(args, timeout=120, mem_gb=6):
    """``neurocost ARGS`` in a child process: (exit code or "hang", stdout + stderr)."""
    return api(f"import sys\nfrom neurocost.cli import main\nsys.exit(main({args!r}))\n", timeout, mem_gb)


def api(body, timeout=60, mem_gb=6):
    """Python ``body`` in a child process under an address-space limit of ``mem_gb`` GiB."""
    limit = f"import resource; resource.setrlimit(resource.RLIMIT_AS, ({mem_gb}<<30, {mem_gb}<<30))\n"
    code = limit + textwrap.dedent(body)
    try:
        r = subprocess.run(
            [PY, "-c", code], cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return "hang", ""
    return r.returncode, r.stdout + r.stderr


def record(name, rc, out, want):
    tb = "Traceback" in out
    if rc == "hang":
        verdict = "hang"
    elif want(rc, out) and not tb:
        verdict = "loud"
    elif tb:
        verdict = "traceback"
    else:
        verdict = "silent/wrong"
    results.append((name, verdict, rc, out.strip().splitlines()[-1][:160] if out.strip() else ""))


def exit2(rc, out):
    return rc == 2 and "error" in out.lower()


sys.path.insert(0, str(REPO))  # the checkout's own test builders and neurocost
import yaml  # noqa: E402

from tests.energy.builders import toy_dict  # noqa: E402


def profile(name, edit):
    d = toy_dict()
    edit(d)
    p = ROOT / name / "toy.yaml"
    p.parent.mkdir()
    p.write_text(yaml.safe_dump(d))
    return p


nan = float("nan")
for label, edit in [
    ("profile .nan constant", lambda d: d["compute"]["mac"]["fp32"].update(value=nan)),
    ("profile negative energy", lambda d: d["compute"]["mac"]["fp32"].update(value=-4)),
    (
        "profile infinite capacity",
        lambda d: d["memory"]["small"]["capacity"].update(value=float("inf")),
    ),
    ("profile negative capacity", lambda d: d["memory"]["small"]["capacity"].update(value=-1)),
    ("profile negative voltage", lambda d: d["technology"]["voltage"].update(value=-0.9)),
]:
    p = profile(label.replace(" ", "_").replace(".", ""), edit)
    rc, out = cli(["estimate", "zoo:smlp", "--profile", str(p)])
    record(label, rc, out, exit2)

d = toy_dict(clock={"value": 0, "unit": "GHz", "source": "x", "basis": "assumption"})
d["throughput"]["mac"] = {
    "any": {"value": 1, "unit": "cycles", "source": "x", "basis": "assumption"}
}
p = ROOT / "clock0" / "toy.yaml"
p.parent.mkdir()
p.write_text(yaml.safe_dump(d))
rc, out = cli(["estimate", "zoo:smlp", "--profile", str(p)])
record("profile clock: 0", rc, out, exit2)

p = ROOT / "utf8" / "toy.yaml"
p.parent.mkdir()
p.write_bytes(b"id: caf\xe9\n")
rc, out = cli(["profiles", "validate", str(p)])
record("non-UTF-8 profile", rc, out, lambda rc, o: rc == 2 and str(p) in o)

p = ROOT / "deep" / "toy.yaml"
p.parent.mkdir()
p.write_text("a: " + "[" * 5000 + "]" * 5000)
rc, out = cli(["profiles", "validate", str(p)])
record("5000-deep YAML nesting", rc, out, exit2)

rc, out = cli(["estimate", "zoo:smlp", "--random", "2,0,784"])
record("empty batch", rc, out, exit2)
rc, out = cli(["estimate", "zoo:smlp", "--random", "0,2,784"])
record("T = 0", rc, out, exit2)

for label, value in [("trace JSON negative count", -80), ("trace JSON NaN count", "NaN")]:
    rc, out = api(f"""
        import json
        from neurocost.tracing.trace_record import Trace
        from tests.energy.builders import two_layer_trace
        text = two_layer_trace().to_json().replace('"effective_ops": 160', '"effective_ops": {value}', 1)
        try:
            Trace.from_json(text)
        except ValueError as err:
            print('refused:', str(err)[:200]); raise SystemExit(2)
        print('accepted')
    """)
    record(label, rc, out, lambda rc, o: rc == 2)

rc, out = api("""
    from neurocost.tracing.trace_record import Trace
    text = '{"format": "neurocost.trace", "format_version": 1, "layers": [' + '{"layer": "x"},' * 2000
    try:
        Trace.from_json(text)
    except Exception as err:
        print(len(str(err))); raise SystemExit(2 if len(str(err)) < 500 else 3)
""")
record("Trace.from_json error does not echo the JSON", rc, out, lambda rc, o: rc == 2)


# sweep stores
def spec(dirname, name, results="results", grid=None):
    d = ROOT / dirname
    d.mkdir(exist_ok=True)
    s = {
        "name": name,
        "models": [{"source": "zoo:smlp", "input": {"samples": 1}}],
        "profiles": ["cmos45"],
        "results": results,
    }
    if grid:
        s["grid"] = grid
    (d / f"{name}.yaml").write_text(yaml.safe_dump(s))
    return d / f"{name}.yaml"


a, b = spec("sa", "first"), spec("sb", "second")
cli(["sweep", str(a)])
cli(["sweep", str(b)])
foreign = next((ROOT / "sb/results/results").glob("part-*.parquet"))
shutil.copy(foreign, ROOT / "sa/results/results/part-000099.parquet")
rc, out = cli(["report", str(ROOT / "sa/results"), "--out", str(ROOT / "sa/report")])
record("foreign Parquet part merged into report", rc, out, exit2)

lk = ROOT / "lock"
lk.mkdir()
(lk / "results").mkdir()
(lk / "s.yaml").write_text(
    'name: s\nmodels: [{source: "zoo:smlp", input: {samples: 1}}]\nprofiles: [cmos45]\n'
)
holder = subprocess.Popen(
    [
        PY,
        "-c",
        "import sys; from filelock import FileLock; l = FileLock(sys.argv[1]); l.acquire(); print('held', flush=True); sys.stdin.read()",
        str(lk / "results" / ".lock"),
    ],
    stdin=subprocess.PIPE,
    stdout=subprocess.PIPE,
    text=True,
    env=ENV,
)
holder.stdout.readline()
rc, out = cli(["sweep", str(lk / "s.yaml")])
holder.stdin.close()
holder.wait()
record("second writer into a busy store", rc, out, lambda rc, o: rc == 2)

rc, out = api(f"""
    from pathlib import Path
    from neurocost.sweeps.store import ResultsStore
    from neurocost.sweeps.result_columns import column_units
    from tests.reports.fake_results import results_rows
    root = Path({str(ROOT / "sym")!r}); (root / 's' / 'results').mkdir(parents=True)
    victim = root / 'victim.txt'; victim.write_text('keep')
    (root / 's' / 'results' / 'part-000001.parquet.tmp').symlink_to(victim)
    rows = results_rows(['scnn'], ['loihi'])
    try:
        ResultsStore(root / 's').append(rows, column_units(list(rows.columns)))
    except Exception as err:
        print(err)
    raise SystemExit(2 if victim.read_text() == 'keep' else 3)
""")
record("fixed .tmp name follows a symlink", rc, out, lambda rc, o: rc == 2)

(ROOT / "rfile").mkdir()
(ROOT / "rfile" / "results").write_text("mine")
s = spec("rfile", "s")
rc, out = cli(["sweep", str(s)])
record("results path is a file", rc, out, exit2)

big = spec(
    "big",
    "big",
    grid={
        "memory.sram_8k.capacity": list(range(1000)),
        "memory.sram_32k.capacity": list(range(1000)),
        "memory.dram.read": list(range(1, 1001)),
    },
)
rc, out = cli(["sweep", str(big)], timeout=120, mem_gb=4)
record("sweep grid of 1e9 points", rc, out, exit2)

bomb = "".join(f"      l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 10))
cl = ROOT / "bomb"
cl.mkdir()
(cl / "x.claims.yaml").write_text(
    "claims:\n  - id: bomb\n    source: t\n    model: zoo:scnn\n    metric: bops\n    expected: 0\n    variant:\n      l0: &l0 [lol]\n"
    + bomb
)
rc, out = cli(["claims", "check", str(cl / "x.claims.yaml")], timeout=120, mem_gb=3)
record("alias bomb in a claim's variant", rc, out, exit2)

gl = ROOT / "gl" / "a" / "b"
gl.mkdir(parents=True)
(gl / "x.claims.yaml").write_text(
    "claims:\n  - {id: c, source: s, model: zoo:scnn, metric: bops, expected: 0}\ngolden: ../../x.json\n"
)
rc, out = cli(["claims", "validate", str(gl / "x.claims.yaml")])
record("golden: ../../x.json", rc, out, exit2)

ce = ROOT / "exit"
ce.mkdir()
(ce / "m.py").write_text("import sys\nsys.exit(0)\n")
(ce / "x.claims.yaml").write_text(
    f"claims:\n  - id: c\n    source: s\n    model: {{spec: '{ce / 'm.py'}:f', input: {{shape: [4]}}}}\n    metric: bops\n    expected: 0\n"
)
rc, out = cli(["claims", "check", str(ce / "x.claims.yaml")])
record("model file calls sys.exit(0)", rc, out, lambda rc, o: rc == 1)

gu = ROOT / "gunit"
gu.mkdir()
(gu / "x.claims.yaml").write_text(
    "claims:\n  - id: c\n    source: s\n    model: zoo:smlp\n    metric: bops\n    expected: golden\n"
)
cli(["claims", "check", "--update", str(gu / "x.claims.yaml")])
g = gu / "x.golden.json"
data = json.loads(g.read_text())
data["entries"]["c"]["unit"] = "macs"
g.write_text(json.dumps(data))
rc, out = cli(["claims", "check", str(gu / "x.claims.yaml")])
record("edited golden unit", rc, out, lambda rc, o: rc == 1)

dm = ROOT / "demo"
dm.mkdir()
shutil.copytree(ROOT / "sa" / "results", dm / "results")
rc, out = cli(["demo", "--quick", "--no-progress", "--out", str(dm)], timeout=300)
record(
    "demo --out deletes a user's store",
    rc,
    out,
    lambda rc, o: rc == 2 and (dm / "results" / "results").is_dir(),
)

rc, out = api(
    """
    import nir, numpy as np
    from neurocost.interchange.nir_io import import_nir
    w = np.ones((2, 2), np.float32)
    nodes = {"input": nir.Input(input_type={"input": np.array([2])}), "a": nir.Linear(weight=w), "b": nir.Linear(weight=w), "output": nir.Output(output_type={"output": np.array([2])})}
    g = nir.NIRGraph(nodes=nodes, edges=[("input", "a"), ("a", "b"), ("b", "output")])
    g.edges[:] = [("input", "a"), ("a", "b"), ("b", "a")]
    try:
        import_nir(g)
    except ValueError as err:
        print(err); raise SystemExit(2)
""",
    timeout=20,
)
record("import_nir on a cyclic graph", rc, out, lambda rc, o: rc == 2)

rc, out = api(f"""
    import onnx
    from onnx import TensorProto, helper
    shape = helper.make_tensor("shape", TensorProto.INT64, [3], [10**6, 10**6, 10**6])
    graph = helper.make_graph([helper.make_node("ConstantOfShape", ["shape"], ["big"]), helper.make_node("Add", ["x", "big"], ["y"])], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])], [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], initializer=[shape])
    onnx.save(helper.make_model(graph), {str(ROOT / "big.onnx")!r})
""")
rc, out = cli(["trace", str(ROOT / "big.onnx"), "--random", "1,4", "--call-once"], mem_gb=4)
record("ONNX ConstantOfShape of 1e18 elements", rc, out, exit2)

for name, content in [("t.onnx", b"\x08\x07garbage\xff"), ("t.nir", b"garbage"), ("e.onnx", b"")]:
    (ROOT / name).write_bytes(content)
    rc, out = cli(["trace", str(ROOT / name), "--random", "1,4", "--call-once"])
    record(f"garbage/empty {name}", rc, out, lambda rc, o, n=name: rc == 2 and n in o)
(ROOT / "t.pt").write_bytes(b"PK\x03\x04trunc")
rc, out = cli(["trace", "zoo:smlp", "--input", str(ROOT / "t.pt")])
record("truncated .pt input", rc, out, exit2)

rc, out = api(f"""
    import torch, snntorch as snn
    from torch import nn
    import neurocost as nc
    from neurocost.interchange.nir_io import export_nir
    m = nn.Sequential(nn.Linear(6, 5), snn.Leaky(beta=0.9, init_hidden=True), nn.Linear(5, 3))
    x = (torch.rand(3, 2, 6) > 0.5).float()
    export_nir(m, x[0], {str(ROOT / "own.nir")!r})
    nc.trace({str(ROOT / "own.nir")!r}, x)
    print('ok')
""")
record("NIR read-out of our own export", rc, out, lambda rc, o: rc == 0 and "ok" in o)

(ROOT / "lstm.py").write_text("from torch import nn\ndef lstm():\n    return nn.LSTM(4, 8)\n")
rc, out = cli(["trace", f"{ROOT / 'lstm.py'}:lstm", "--random", "3,2,4", "--call-once"])
record("UnsupportedOperation in the CLI", rc, out, exit2)

width = max(len(r[0]) for r in results)
for name, verdict, rc, last in results:
    print(f"{name:<{width}}  {verdict:<12} rc={rc}  {last}")
loud = sum(r[1] == "loud" for r in results)
print(f"\n{loud} of {len(results)} cases handled loudly (one-line error / refused / correct)")
