"""Sphinx glue for the infogap book (`make book`): nbdev notebooks read as book chapters, math as MathML,
and the "Reports" part.

* `read_chapter` is MyST-NB's reader for `.ipynb` files (`nb_custom_formats` in conf.py). It turns nbdev
  directives into MyST-NB cell tags and removes the directive lines, so a reader sees the code without
  `#| export` clutter: `#| hide` (and `#| include: false`, a lone `#| default_exp`) hides the cell but
  still runs it; `#| echo: false` hides the input; `#| output: false` hides the output; `#| eval: false`
  and the test flags of settings.ini (`#| slow`) show the code without running it, under a note that says
  so. The cache (jupyter-cache) keys on the code cells, so editing one chapter re-executes that chapter only.
* `MathML`: `$...$` and `$$...$$` become MathML in the page (the same converter as the reports), so the
  book needs no MathJax and makes no network request.
* `infogap-reports` directive: one section per report rendered by `infogap report` into the reports
  folder (`INFOGAP_BOOK_REPORTS`, default `_book/reports`): its title, what it answers, its headline
  numbers, the command and every parameter that made it, and a link to the page; the pages themselves
  are copied next to the book (`reports/`) when the build finishes.
"""
from __future__ import annotations

import configparser
import html
import json
import os
import re
import shutil
from pathlib import Path

import nbformat
from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx.util import logging

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
DIRECTIVE = re.compile(r"^\s*#\s*\|\s*(.*?)\s*$")


def nbdev_test_flags() -> set:
    "nbdev's `tst_flags` from settings.ini (cells flagged with one of them are not run by default)."
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "settings.ini")
    return set(cfg.get("DEFAULT", "tst_flags", fallback="slow").split())


def split_directives(source: str) -> tuple[list, str]:
    "The nbdev directives at the top of a cell (`#| export` → 'export') and the source without them."
    lines = source.splitlines()
    directives = []
    while lines and (m := DIRECTIVE.match(lines[0])):
        directives.append(m.group(1))
        lines.pop(0)
    while lines and not lines[0].strip(): lines.pop(0)
    return directives, "\n".join(lines)


SKIPPED_NOTE = ("```{{note}}\nNot run in the book: the next cell is marked `#| {flag}` (full size, minutes). "
                "`nbdev_test --path nbs/{chapter} --flags {flag}` runs it; the full-size numbers and figures "
                "the text quotes come from that run or from the `bench/` scripts (`bench/results/*.json`).\n```")
NOT_EVALUATED_NOTE = "```{note}\nShown, not run (`#| eval: false`).\n```"


def chapter_cells(nb, chapter: str = "", flags: set | None = None):
    "Translate the nbdev directives of `nb`'s code cells into MyST-NB tags (in place); returns `nb`."
    flags = nbdev_test_flags() if flags is None else flags
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            cells.append(cell); continue
        directives, source = split_directives(cell.source)
        names = {d.split(":")[0].split()[0].strip().lower() for d in directives if d.split()}
        values = {d.split(":")[0].strip().lower(): d.split(":", 1)[1].strip().lower() for d in directives if ":" in d}
        tags = list(cell.metadata.get("tags", []))
        note = None
        if "hide" in names or values.get("include") == "false" or not source.strip():
            tags.append("remove-cell")
        if values.get("echo") == "false" or "hide_input" in names: tags.append("remove-input")
        if values.get("output") == "false" or "hide_output" in names: tags.append("remove-output")
        skipped = sorted(names & flags)
        if skipped:
            tags.append("skip-execution")
            note = SKIPPED_NOTE.format(flag=skipped[0], chapter=chapter)
        elif values.get("eval") == "false":
            tags.append("skip-execution")
            note = NOT_EVALUATED_NOTE
        if note and "remove-cell" not in tags:
            cells.append(nbformat.v4.new_markdown_cell(note))
        cell.source = source
        if tags: cell.metadata["tags"] = list(dict.fromkeys(tags))
        cells.append(cell)
    nb.cells = cells
    return nb


def chapter_file(nb) -> str:
    "The file name of the chapter that exports `#| default_exp NAME` (MyST-NB's reader gets text, not a path)."
    wanted = {d for c in nb.cells if c.cell_type == "code"
              for d in split_directives(c.source)[0] if d.startswith("default_exp")}
    for p in sorted((ROOT / "nbs").glob("*.ipynb")) if wanted else ():
        other = nbformat.read(p, as_version=4)
        if wanted & {d for c in other.cells if c.cell_type == "code"
                     for d in split_directives(c.source)[0] if d.startswith("default_exp")}:
            return p.name
    return "<chapter>.ipynb"


def read_chapter(text: str) -> nbformat.NotebookNode:
    "MyST-NB reader: an nbdev notebook with its directives turned into cell tags."
    nb = nbformat.reads(text, as_version=4)
    return chapter_cells(nb, chapter=chapter_file(nb))


# ---- math: MathML, no MathJax -------------------------------------------------------------------

def _mathml(tex: str, display: str) -> str:
    from infogap.reports import latex_to_mathml
    return latex_to_mathml(tex, display)


def visit_math(self, node):
    self.body.append(self.starttag(node, "span", "", CLASS="math notranslate"))
    self.body.append(_mathml(node.astext(), "inline"))
    self.body.append("</span>")
    raise nodes.SkipNode


def visit_math_block(self, node):
    self.body.append(self.starttag(node, "div", CLASS="math notranslate"))
    if node.get("number"):
        self.body.append(f'<span class="eqno">({node["number"]})</span>')
    self.body.append(_mathml(node.astext(), "block"))
    self.body.append("</div>\n")
    raise nodes.SkipNode


# ---- the Reports part ---------------------------------------------------------------------------

def reports_dir(app) -> Path:
    return Path(app.config.infogap_reports_dir).resolve()


def _value(v) -> str:
    return json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v


def _shell_arg(v) -> str:
    "A parameter value as `infogap report -p name=VALUE` reads it (quoted for a POSIX shell when needed)."
    text = json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list, bool)) or v is None else str(v)
    return text if re.fullmatch(r"[\w.,:/+-]*", text) and text else "'" + text.replace("'", "'\\''") + "'"


# the chapters' order (01 dataprep ... 08 bertrec); reports not listed come after, by name
REPORT_ORDER = ("dataprep", "personas", "recommendations", "propensity", "forecast", "clv", "abtest", "bertrec")


class ReportsDirective(Directive):
    "One section per rendered report: what it answers, headlines, command, parameters, link."
    has_content = False

    def run(self):
        env = self.state.document.settings.env
        app = env.app
        env.note_dependency(__file__)          # a change here re-reads the page
        d = reports_dir(app)
        metas = sorted(d.glob("*.json")) if d.is_dir() else []
        metas = [p for p in metas if not p.name.endswith(".failed.json")]
        order = {n: i for i, n in enumerate(REPORT_ORDER)}
        metas.sort(key=lambda p: (order.get(p.stem, len(order)), p.stem))
        from infogap.reports import find_reports
        infos = find_reports(ROOT / "reports")
        out = []
        if not metas:
            logger.warning("infogap-reports: no rendered reports in %s (run `make book`)", d,
                           location=(env.docname, self.lineno))
            return [nodes.paragraph(text=f"No rendered reports in {d}: run `make book` to render them first.")]
        for p in metas:
            env.note_dependency(str(p))
            meta = json.loads(p.read_text(encoding="utf-8"))
            if not isinstance(meta, dict) or meta.get("status") != "ok" or "name" not in meta: continue
            name = meta["name"]
            info = infos.get(name)
            params = dict(meta.get("parameters", {}))
            rows = []
            for pname, par in (info.params.items() if info else ()):
                used = pname in params
                value = params.get(pname, par.default)
                rows.append((pname, _value(value), "set" if used else "default", par.help))
            out_dir = os.path.relpath(d, ROOT) if d.is_relative_to(ROOT) else str(d)
            cmd = "infogap report " + name + "".join(f" -p {k}={_shell_arg(v)}" for k, v in params.items()) \
                + f" --out {_shell_arg(out_dir)}"
            sec = nodes.section(ids=[f"report-{name}"])
            sec += nodes.title(text=meta.get("title") or name)
            if meta.get("description"):
                sec += nodes.paragraph(text=meta["description"])
            link = (f'<p class="ig-report-link"><a class="reference external" href="reports/{html.escape(name)}.html">'
                    f'Open the {html.escape(name)} report</a> '
                    f'(rendered {html.escape(str(meta.get("finished_at", "")))} in {meta.get("seconds", 0):.0f} s)</p>')
            sec += nodes.raw("", link, format="html")
            heads = meta.get("headlines") or []
            if heads:
                items = "".join(f"<li><strong>{html.escape(str(h.get('text', '')))}</strong> "
                                f"{html.escape(str(h.get('label', '')))}</li>" for h in heads)
                sec += nodes.raw("", f'<ul class="ig-report-headlines">{items}</ul>', format="html")
            sec += nodes.paragraph(text="The command that made it (from the repository root):")
            sec += nodes.literal_block(cmd, cmd, language="bash")
            if rows:
                body = "".join(f"<tr><td><code>{html.escape(a)}</code></td><td><code>{html.escape(b)}</code></td>"
                               f"<td>{c}</td><td>{html.escape(h)}</td></tr>" for a, b, c, h in rows)
                sec += nodes.raw("", '<table class="table ig-report-params"><thead><tr><th>parameter</th>'
                                     '<th>value</th><th></th><th>meaning</th></tr></thead>'
                                     f"<tbody>{body}</tbody></table>", format="html")
            out.append(sec)
        return out


def copy_reports(app, exception):
    "Copy the rendered report pages (and the CSV files beside them) into the book's reports/ folder."
    if exception is not None or app.builder.format != "html": return
    src = reports_dir(app)
    if not src.is_dir(): return
    dst = Path(app.outdir) / "reports"
    dst.mkdir(parents=True, exist_ok=True)
    for f in src.iterdir():
        if f.is_file() and f.suffix in (".html", ".csv") and ".failed." not in f.name:
            shutil.copy2(f, dst / f.name)


def balance_reading(app, env, docnames):
    """Order the documents so that `sphinx-build -j N`'s contiguous chunks take about equal time.

    Sphinx hands each of N processes a contiguous slice of the (sorted) list; the chapters' execution
    times differ tenfold, so sorted order can put all the slow ones in one slice. Greedy
    longest-first assignment, with `infogap_execution_seconds` as the estimate of each document."""
    from math import sqrt
    nproc = getattr(app, "parallel", 1) or 1
    if nproc < 2 or len(docnames) < 2: return
    n = len(docnames)
    size = n // nproc
    if size >= 10: size = int(sqrt(n / nproc * 10))    # sphinx.util.parallel.make_chunks
    size = max(size, 1)
    n_chunks = -(-n // size)
    caps = [min(size, n - i * size) for i in range(n_chunks)]
    cost = app.config.infogap_execution_seconds
    chunks, loads = [[] for _ in caps], [0.0] * n_chunks
    for d in sorted(docnames, key=lambda d: -cost.get(d, 1.0)):
        i = min((j for j in range(n_chunks) if len(chunks[j]) < caps[j]), key=lambda j: loads[j])
        chunks[i].append(d); loads[i] += cost.get(d, 1.0)
    docnames[:] = [d for c in chunks for d in c]


def setup(app):
    # sphinx-external-toc loads sphinx-multitoc-numbering, which only renumbers sections in the main
    # process but does not say it is parallel-safe, so Sphinx would read (execute) the chapters one at
    # a time; `sphinx-build -j 2` then runs two chapters at once.
    numbering = app.extensions.get("sphinx_multitoc_numbering")
    if numbering is not None:
        if numbering.parallel_read_safe is None: numbering.parallel_read_safe = True
        if numbering.parallel_write_safe is None: numbering.parallel_write_safe = True
    app.add_config_value("infogap_reports_dir", str(ROOT / "_book" / "reports"), "env")
    app.add_config_value("infogap_execution_seconds", {}, "")
    app.connect("env-before-read-docs", balance_reading)
    app.add_html_math_renderer("mathml", (visit_math, None), (visit_math_block, None))
    app.add_directive("infogap-reports", ReportsDirective)
    app.connect("build-finished", copy_reports)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
