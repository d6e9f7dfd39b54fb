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


def _memory_gib() -> float | None:
    try: return round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError, AttributeError): return None


def _load() -> list:
    return [round(x, 2) for x in os.getloadavg()]


def machine(**extra) -> dict:
    """The one shape of a result file's machine block: python, platform, machine (CPU architecture), cpus,
    memory_gib, load_average_at_start (1, 5, 15 min, now), when, argv, then `extra` (blas_threads, torch, ...).
    `write_result` adds load_average_at_end. Read timings on a shared machine against the load."""
    return {"python": platform.python_version(), "platform": platform.platform(), "machine": platform.machine(),
            "cpus": os.cpu_count(), "memory_gib": _memory_gib(), "load_average_at_start": _load(),
            "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "argv": sys.argv[1:], **extra}


def end_machine(info: dict) -> dict:
    "Add the load average at the end of a run to a machine block (`write_result` does it for the result's own block)."
    info["load_average_at_end"] = _load()
    return info


# the names the scripts used before they shared `machine` (result files written then keep them until rerun)
_OLD_KEYS = {"load_avg": "load_average_at_start", "load_average_start": "load_average_at_start",
             "load_avg_end": "load_average_at_end", "load_average_end": "load_average_at_end", "cpu_count": "cpus"}


def read_machine(block) -> dict:
    """A machine block from any result file, old or new, in today's shape (missing facts stay missing): old key
    names are renamed, and the old one-line description "2 cores, 24 GiB" becomes cpus and memory_gib."""
    if isinstance(block, str):
        import re
        m = re.fullmatch(r"\s*(\d+) cores?, (\d+(?:\.\d+)?) GiB\s*", block)
        if not m: raise ValueError(f"unrecognised machine description {block!r}")
        return {"cpus": int(m.group(1)), "memory_gib": float(m.group(2))}
    out = {}
    for k, v in dict(block).items():
        out[_OLD_KEYS.get(k, k)] = [round(float(x), 2) for x in v] if _OLD_KEYS.get(k, k).startswith("load_average") else v
    return out


def ratio_range(slow_s, fast_s) -> dict:
    """`slow_s[i] / fast_s[i]` for each repeat i (both sides timed on the same work in the same repeat): the
    per-repeat ratios and their min, median and max. Report the range, never the best repeat alone."""
    if len(slow_s) != len(fast_s) or not len(slow_s):
        raise ValueError(f"need one time per side per repeat; got {len(slow_s)} and {len(fast_s)}")
    r = [a / b for a, b in zip(slow_s, fast_s)]
    return {"per_repeat": r, "min": min(r), "median": statistics.median(r), "max": max(r), "repeats": len(r)}


def _plain(o):
    "NumPy scalars and arrays as JSON numbers and lists."
    if hasattr(o, "tolist"): return o.tolist()
    raise TypeError(f"{type(o).__name__} is not JSON serialisable")


def write_result(path, result: dict, indent: int = 2) -> Path:
    "Write `result` as JSON with its machine block (`machine()` unless given) ended by the load average now; say where."
    path = Path(path)
    end_machine(result.setdefault("machine", machine()))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=indent, default=_plain) + "\n")
    print("wrote", path, flush=True)
    return path
