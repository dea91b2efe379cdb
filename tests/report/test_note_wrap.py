"""Figure notes are wrapped to the figure width, so no note runs past the right edge of the PNG."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from tfp_talent.report.style import add_note


def test_long_note_is_wrapped_inside_the_figure():
    fig, ax = plt.subplots(figsize=(6.5, 3.0))
    ax.plot([0, 1], [0, 1])
    note = "word " * 120 + "\nsecond paragraph kept on its own line"
    add_note(fig, note, fontsize=7.0)
    fig.canvas.draw()
    label = fig._supxlabel
    lines = label.get_text().split("\n")
    assert len(lines) >= 3 and lines[-1] == "second paragraph kept on its own line"
    box = label.get_window_extent(renderer=fig.canvas.get_renderer())
    assert box.x1 <= fig.bbox.x1  # measured in pixels: the wrapped note fits the figure
    plt.close(fig)
