"""The full report pages: each executed notebook as one self-contained HTML file."""

from __future__ import annotations

import re
from typing import Any

from ._errors import ReportError

__all__ = ["notebook_to_html"]

_EXTERNAL = re.compile(
    r"<(script|img|link|iframe)\b[^>]*\b(?:src|href)\s*=\s*[\"']?\s*(?:https?:)?//", re.I
)


def notebook_to_html(nb: Any, title: str) -> str:
    """Render an executed notebook to one self-contained HTML page without code.

    Uses nbconvert's JupyterLab template with inputs and prompts hidden, markdown
    images embedded, the template's CDN scripts (require.js, MathJax, Mermaid,
    widgets) removed, so the page opens offline, and CSS that lets a wide table
    scroll inside the page (``templates/notebook/page.html.j2``).

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The executed notebook.
    title : str
        The page title (escaped).

    Raises
    ------
    ReportError
        If an output would load a remote resource (script, image, style sheet).

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Demand & supply")])
    >>> page = notebook_to_html(nb, "T")
    >>> "<script src=" in page, "Demand &amp; supply" in page, "overflow-x:auto" in page
    (False, True, True)
    """
    import jinja2
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="lab",
        # a folder of its own: nbconvert's own 'index.html.j2' must not be shadowed
        extra_loaders=[jinja2.PackageLoader("demandlab.reporting", "templates/notebook")],
        template_file="page.html.j2",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    bad = _EXTERNAL.search(body)
    if bad:  # a notebook output that pulls in remote code: refuse rather than ship it
        raise ReportError(
            f"the rendered report for {title!r} loads an external resource ({bad.group(0)[:80]!r})",
            hint="display tables and figures as data, not as remote HTML/images",
        )
    return body
