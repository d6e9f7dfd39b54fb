"""Reports, split by where the code runs: `page` (in a report's kernel), `catalog` and `render` (in the `infogap`
command), `testing` (helpers for tests and lessons). Hand-written package marker; the modules are built from
nbs/09a-09d."""
