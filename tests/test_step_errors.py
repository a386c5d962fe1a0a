"""Where a step failed (audit_helpers.step_errors): the cell as the reader counts it, the line that raised."""

import nbformat

from audit_helpers.step_errors import failing_cell, one_line, raising_line

# an IPython 8 traceback as nbclient records it (ANSI colours kept): the cell In[3] calls helper,
# defined in the same cell, which raises on the cell's line 4
TRACEBACK = [
    "\x1b[31m---------------------------------------------------------------------------\x1b[39m",
    "\x1b[31mKeyError\x1b[39m                                  Traceback (most recent call last)",
    "\x1b[36mCell\x1b[39m\x1b[36m \x1b[39m\x1b[32mIn[3]\x1b[39m\x1b[32m, line 6\x1b[39m\n\x1b[32m----> \x1b[39m\x1b[32m6\x1b[39m z = helper(1)\n",
    "\x1b[36mCell\x1b[39m\x1b[36m \x1b[39m\x1b[32mIn[3]\x1b[39m\x1b[32m, line 4\x1b[39m, in \x1b[36mhelper\x1b[39m\x1b[34m(v)\x1b[39m\n",
    "\x1b[31mKeyError\x1b[39m: 'missing key'",
]
SOURCE = "import time\ntime.sleep(2)\ndef helper(v):\n    return {}[v]\ny = 2\nz = helper(1)\n"


def test_the_innermost_frame_of_the_failing_cell_is_the_raising_line():
    assert raising_line(TRACEBACK, exec_count=3) == 4
    assert raising_line(TRACEBACK[:3], exec_count=3) == 6  # the call, when the raise is in a library


def test_frames_of_other_cells_and_library_frames_do_not_count():
    library = "\x1b[36mFile \x1b[39m\x1b[32m/site-packages/pandas/core/frame.py:4102\x1b[39m, in \x1b[36mDataFrame.__getitem__\x1b[39m\n"
    other_cell = "Cell In[2], line 9, in helper(v)\n"
    assert raising_line([TRACEBACK[2], other_cell, library], exec_count=3) == 6
    assert raising_line([library], exec_count=3) is None
    assert raising_line(["Input In [5], in <cell line: 2>()\n"], exec_count=5) == 2  # IPython 7


def test_failing_cell_counts_only_the_source_cells_and_quotes_the_line(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("params_path = None", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("params_path = 'x'", metadata={"tags": ["injected-parameters"]}),
        nbformat.v4.new_code_cell(SOURCE, outputs=[nbformat.v4.new_output("error", ename="KeyError", evalue="1",
                                                                           traceback=TRACEBACK)]),
        nbformat.v4.new_code_cell("print(z)"),
    ]
    path = tmp_path / "step.ipynb"
    nbformat.write(nb, path)
    assert failing_cell(path, 2, source=SOURCE, exec_count=3, traceback=TRACEBACK) == "2 of 3, line 4 (`return {}[v]`)"
    # no frame of the cell (a kernel that died): its first line stands in, as before
    assert failing_cell(path, 2, source=SOURCE, exec_count=3, traceback=[]) == "2 of 3 (`import time`)"
    assert failing_cell(tmp_path / "missing.ipynb", 2, source=SOURCE, exec_count=3, traceback=TRACEBACK) == \
        "#2, line 4 (`return {}[v]`)"


def test_one_line_keeps_the_first_line_of_a_long_message():
    assert one_line("first line\nsecond line") == "first line"
    assert one_line("\n  \nx" + "y" * 300, limit=10) == "xyyyyyyyy…"
    assert one_line(None) == ""
