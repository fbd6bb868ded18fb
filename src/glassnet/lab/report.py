"""Running every lab (the tour) and writing one self-contained HTML report: figures embedded as base64 PNG,
each lab's numbers beside the lecture's, pass / fail / waiting marks and the errors of failed labs."""
from __future__ import annotations

import base64
import html
import os
import tempfile
import time
from pathlib import Path

from .core import FAILED, PASSED, RAN, WAITING, LabResult

MARKS = {PASSED: "✔ passed", FAILED: "✘ failed", WAITING: "… waiting", RAN: "· ran"}
COLORS = {PASSED: "#1a7f37", FAILED: "#cf222e", WAITING: "#9a6700", RAN: "#57606a"}


def tour(out, quick: bool = False, names=None, verbose: int = 1) -> list[LabResult]:
    """Run the labs (all, or those in ``names``) each into ``out/<name>``; write ``out/report.html``."""
    from tqdm.auto import tqdm

    from . import labs

    out = Path(out)
    chosen = [lab for lab in labs() if names is None or lab.name in names]
    results = []
    bar = tqdm(chosen, desc="labs", unit="lab", disable=verbose == 0)
    for lab in bar:
        bar.set_postfix_str(lab.name)
        results.append(lab.run(out / lab.name, quick=quick))
    write_report(results, out / "report.html", quick=quick)
    return results


def summary_table(results: list[LabResult]) -> str:
    """The plain-text table printed at the end of a tour."""
    width = max(len(r.name) for r in results)
    lines = [f"{'lab':<{width}}  {'result':<10}  {'numbers':>8}  {'checks':>7}  {'time':>7}",
             "-" * (width + 40)]
    for r in results:
        compared = [n for n in r.numbers if n.passed is not None]
        numbers = f"{sum(n.passed for n in compared)}/{len(compared)}" if compared else "-"
        checks = f"{sum(c.passed for c in r.checks)}/{len(r.checks)}" if r.checks else "-"
        lines.append(f"{r.name:<{width}}  {MARKS[r.status]:<10}  {numbers:>8}  {checks:>7}  {r.seconds:>6.1f}s")
        if r.status in (FAILED, WAITING) and r.error:
            lines.append(f"{'':<{width}}    {r.error.splitlines()[0]}")
    counts = {status: sum(r.status == status for r in results) for status in MARKS}
    lines.append("-" * (width + 40))
    lines.append(", ".join(f"{counts[s]} {s}" for s in MARKS) + f"  ({sum(r.seconds for r in results):.0f} s)")
    return "\n".join(lines)


def _image(path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img alt="{html.escape(path.stem)}" src="data:image/png;base64,{data}">'


def _lab_section(r: LabResult) -> str:
    e = html.escape
    parts = [f'<section id="{e(r.name)}"><h2>{e(r.title or r.name)} '
             f'<span class="mark" style="color:{COLORS[r.status]}">{MARKS[r.status]}</span></h2>',
             f'<p class="meta"><code>glassnet lab run {e(r.name)}</code> · lecture: {e(r.source)} · '
             f'{r.seconds:.1f} s</p>']
    if r.error:
        parts.append(f"<pre class=\"error\">{e(r.error)}</pre>")
    if r.numbers:
        parts.append("<table><tr><th>number</th><th>glassnet</th><th>lecture</th><th></th><th>note</th></tr>")
        for n in r.numbers:
            mark = {True: "✔", False: "✘", None: ""}[n.passed]
            expected = "" if n.expected is None else n.shown(n.expected)
            value = n.shown(n.value) if n.expected is not None else f"{n.value:.6g}"
            parts.append(f"<tr><td>{e(n.name)}</td><td>{value}</td><td>{expected}</td>"
                         f"<td class=\"{'ok' if n.passed else 'bad' if n.passed is False else ''}\">{mark}</td>"
                         f"<td>{e(n.note)}</td></tr>")
        parts.append("</table>")
    if r.checks:
        parts.append("<ul class=\"checks\">")
        for c in r.checks:
            parts.append(f"<li class=\"{'ok' if c.passed else 'bad'}\">{'✔' if c.passed else '✘'} "
                         f"{e(c.statement)} <span class=\"meta\">{e(c.detail)}</span></li>")
        parts.append("</ul>")
    if r.text:
        parts.append("".join(f"<p>{e(line)}</p>" for line in r.text.splitlines()))
    parts.extend(_image(path) for path in r.figures if path.exists())
    parts.append("</section>")
    return "\n".join(parts)


STYLE = """
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#1f2328}
h1{margin-bottom:0}h2{border-top:1px solid #d0d7de;padding-top:1em}
table{border-collapse:collapse;margin:.6em 0}td,th{border:1px solid #d0d7de;padding:.25em .6em;text-align:left}
td:nth-child(2),td:nth-child(3){font-family:ui-monospace,monospace;text-align:right}
.ok{color:#1a7f37}.bad{color:#cf222e}.meta{color:#57606a;font-size:.9em}.mark{font-size:.8em}
pre.error{background:#fff8f8;border:1px solid #cf222e;padding:.6em;overflow-x:auto;font-size:.85em}
img{max-width:100%;display:block;margin:.6em 0}ul.checks{padding-left:1.2em}
"""


def write_report(results: list[LabResult], path, quick: bool = False) -> Path:
    """One HTML file with everything inside (no external files), written atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    e = html.escape
    rows = "".join(f'<tr><td><a href="#{e(r.name)}">{e(r.name)}</a></td><td>{e(r.title)}</td>'
                   f'<td style="color:{COLORS[r.status]}">{MARKS[r.status]}</td><td>{r.seconds:.1f} s</td></tr>'
                   for r in results)
    counts = ", ".join(f"{sum(r.status == s for r in results)} {s}" for s in MARKS)
    page = (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>glassnet tour</title>"
            f"<style>{STYLE}</style></head><body><h1>glassnet tour</h1>"
            f"<p class=\"meta\">{time.strftime('%Y-%m-%d %H:%M')} · {'quick' if quick else 'full'} mode · "
            f"{counts}</p><p>Every worked example of the lectures, recomputed with glassnet. A number is "
            f"<span class=\"ok\">✔</span> when it equals the lecture's value to the lecture's printed "
            f"precision; a waiting lab needs a part of glassnet that is still being built.</p>"
            f"<table><tr><th>lab</th><th>what it shows</th><th>result</th><th>time</th></tr>{rows}</table>"
            + "\n".join(_lab_section(r) for r in results) + "</body></html>")
    fd, tmp = tempfile.mkstemp(suffix=".html", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(page)
    os.chmod(tmp, 0o644)  # mkstemp makes it private; the report is for everyone to read
    os.replace(tmp, path)
    return path
