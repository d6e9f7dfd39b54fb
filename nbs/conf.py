# The infogap book: Sphinx + MyST-NB + sphinx-book-theme over the chapters in this folder.
# `make book` renders the reports into _book/reports, then runs
#     sphinx-build -j auto -b html -d _book/doctrees nbs _book/html
# Every chapter is executed once and cached (jupyter-cache in _book/jupyter_cache, keyed on the code
# cells), so after editing one chapter only that chapter runs again. Opens from disk with no network
# request: math is MathML (no MathJax), fonts and scripts are the theme's local copies.
import configparser
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE / "_ext"))
sys.path.insert(0, str(ROOT))   # the kernel and this build import infogap from this checkout

# the kernels MyST-NB starts inherit this environment: this checkout's infogap, no progress widgets
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
os.environ.setdefault("TQDM_DISABLE", "1")
os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")

_ini = configparser.ConfigParser()
_ini.read(ROOT / "settings.ini")
_s = _ini["DEFAULT"]

project = _s["title"]
author = _s["author"]
copyright = _s["copyright"]
release = version = _s["version"]

extensions = ["myst_nb", "sphinx_external_toc", "sphinx_copybutton", "infogap_book"]
external_toc_path = "_toc.yml"
exclude_patterns = ["_ext", "_proc", "_docs", "images", "**/.ipynb_checkpoints", "**/*.failed.ipynb"]
root_doc = "index"

# ---- MyST (markdown cells and .md pages) ----
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
myst_dmath_double_inline = True
suppress_warnings = ["myst.header"]   # chapters start at "# Title" and some jump a heading level

# ---- MyST-NB: nbdev notebooks as chapters, executed once and cached ----
nb_custom_formats = {".ipynb": ["infogap_book.read_chapter", {}]}
nb_execution_mode = "cache"
nb_execution_cache_path = os.environ.get("INFOGAP_BOOK_CACHE", str(ROOT / "_book" / "jupyter_cache"))
nb_execution_timeout = 900
nb_execution_raise_on_error = True      # a chapter that fails is a failed build, not a page with a traceback
nb_execution_show_tb = True
nb_merge_streams = True
nb_ipywidgets_js = {}                   # never load widget scripts from a CDN
nb_output_stderr = "remove"    # progress bars and library deprecation warnings are not part of the lesson

# ---- HTML ----
html_theme = "sphinx_book_theme"
html_title = "infogap: data-driven marketing"
html_static_path = ["_ext/static"]
html_css_files = ["infogap_book.css"]
html_math_renderer = "mathml"
html_show_sourcelink = False
html_copy_source = False
html_show_search_summary = False   # summaries would fetch each page, which a browser refuses from disk
html_last_updated_fmt = None
html_context = {"default_mode": "light"}   # an empty mode makes the theme log a console error
html_theme_options = {
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "use_download_button": False,
    "use_fullscreen_button": True,
    "use_repository_button": False,
    "use_source_button": False,
    "use_edit_page_button": False,
    "use_issues_button": False,
    "launch_buttons": {},
    "navigation_with_keys": False,
    "show_navbar_depth": 1,
    "search_bar_text": "Search the book…",
}

infogap_reports_dir = os.environ.get("INFOGAP_BOOK_REPORTS", str(ROOT / "_book" / "reports"))

# Rough execution time of each chapter (seconds on a 2-core machine), used only to split the chapters
# evenly between the processes of `sphinx-build -j N`; a missing or stale entry only costs balance.
infogap_execution_seconds = {"00_datasets": 12, "01_dataprep": 14, "02_personas": 100, "03_similarity": 130, "03a_ranking": 8,
                             "04_propensity": 80, "05_forecast": 300, "06_clv": 20, "07_abtest": 50,
                             "08_bertrec": 60, "09_reports": 60, "10_cli": 20,
                             "11_playbook": 80}
