"""What the benchmark scripts share: where the peers' virtual environments are, what the machine was doing,
how a speed ratio measured over repeats is summarised, and how a result file is written.

Peers that cannot live in infogap's environment (lifetimes needs NumPy 1.x, statsforecast pandas < 3) get their
own virtual environment inside the repository, `bench/.venvs/<peer>/`, built by `make peers` from the pinned
`bench/peers/<peer>.txt`. A benchmark runs them in a subprocess on the same data."""
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
PEERS = BENCH / "peers"


def venvs() -> Path:
    "Folder of the peers' virtual environments: bench/.venvs, or $INFOGAP_PEER_VENVS (tests point it elsewhere)."
    return Path(os.environ.get("INFOGAP_PEER_VENVS") or BENCH / ".venvs")


class PeerMissing(RuntimeError):
    "A peer's virtual environment is not built (or not where it was asked to be)."


def peer_python(peer: str, python: str | os.PathLike | None = None) -> Path:
    """Interpreter of `peer`'s virtual environment: `python` if given, else `<venvs()>/<peer>/bin/python`
    (bench/.venvs/<peer> in this repository). Raises `PeerMissing`, naming `make peers`, when it does not exist."""
    if not (PEERS / f"{peer}.txt").exists():
        raise ValueError(f"unknown peer {peer!r}: no bench/peers/{peer}.txt (known: {sorted(p.stem for p in PEERS.glob('*.txt'))})")
    path = Path(python) if python else venvs() / peer / "bin" / "python"
    if not path.exists():
        raise PeerMissing(f"no {peer} environment at {path}: run `make peers` in {REPO} (it builds bench/.venvs/{peer} "
                          f"from bench/peers/{peer}.txt)")
    return path


def machine(**extra) -> dict:
    "Python, platform, CPUs and the load average now (1, 5, 15 min): read timings on a shared machine against it."
    return {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
            "load_avg": [round(x, 2) for x in os.getloadavg()], "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "argv": sys.argv[1:], **extra}


def ratio_range(slow_s, fast_s) -> dict:
    """`slow_s[i] / fast_s[i]` for each repeat i (both sides timed on the same work in the same repeat): the
    per-repeat ratios and their min, median and max. Report the range, never the best repeat alone."""
    if len(slow_s) != len(fast_s) or not len(slow_s):
        raise ValueError(f"need one time per side per repeat; got {len(slow_s)} and {len(fast_s)}")
    r = [a / b for a, b in zip(slow_s, fast_s)]
    return {"per_repeat": r, "min": min(r), "median": statistics.median(r), "max": max(r), "repeats": len(r)}


def write_result(path, result: dict) -> Path:
    "Write `result` as indented JSON (with the load average at the end of the run) and say where."
    path = Path(path)
    result.setdefault("machine", machine())
    result["machine"]["load_avg_end"] = [round(x, 2) for x in os.getloadavg()]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2) + "\n")
    print("wrote", path, flush=True)
    return path
