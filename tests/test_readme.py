"""The README's Python example runs as written and prints what it promises."""

from __future__ import annotations

import contextlib
import io
import re


def test_readme_example_runs(root_dir):
    text = (root_dir / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) == 1
    code = blocks[0]
    assert len([line for line in code.splitlines() if line.strip()]) <= 12
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})
    printed = out.getvalue()
    assert "Niche scores: 40 niches" in printed
    # the purchase plan and the six planted demo segments come out by name
    assert "Purchase plan for 24 line(s)" in printed
    assert printed.count("resellers") >= 2 and "producers" in printed
