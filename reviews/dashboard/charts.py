"""Server-side SVG bar charts: the geometry is computed here and drawn by a template with SVG
attributes and CSS classes only (the CSP allows no inline script or style). Each chart on the
dashboard also has a real data table, which is what screen readers and printers read."""

from dataclasses import dataclass, field

LABEL_WIDTH = 290  # room for the longest therapeutic-area name
BAR_AREA = 380
VALUE_WIDTH = 110
BAR_HEIGHT = 14
BAR_GAP = 3
GROUP_GAP = 12
LEGEND_HEIGHT = 26
WIDTH = LABEL_WIDTH + BAR_AREA + VALUE_WIDTH


@dataclass(frozen=True)
class Series:
    name: str
    css_class: str  # colour, from static/css/dashboard.css (chart-series-1, -2, …)
    values: list


@dataclass
class Bar:
    x: int
    y: int
    width: int
    height: int
    css_class: str
    text: str
    text_x: int
    text_y: int


@dataclass
class Group:
    label: str
    label_y: int
    bars: list = field(default_factory=list)


@dataclass
class LegendItem:
    name: str
    css_class: str
    x: int
    text_x: int


@dataclass
class BarChart:
    """A horizontal grouped bar chart: one group per category, one bar per series."""

    chart_id: str
    title: str
    summary: str
    groups: list
    legend: list
    width: int
    height: int
    label_x: int = LABEL_WIDTH - 8
    bar_x: int = LABEL_WIDTH
    legend_y: int = 4


def bar_chart(chart_id, title, summary, categories, series, fmt=str) -> BarChart:
    """``categories`` are the group labels; each series gives one value (or None) per category. A series
    with nothing but zeros (paid and refunded, until payments exist) is left to the table."""
    series = [s for s in series if any(s.values)] or series[:1]
    values = [v for s in series for v in s.values if v is not None]
    top = max([float(v) for v in values] + [0]) or 1.0
    show_legend = len(series) > 1
    y = LEGEND_HEIGHT if show_legend else 4
    group_height = len(series) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP
    groups = []
    for i, label in enumerate(categories):
        group = Group(label, y + group_height // 2 + 4)
        for j, s in enumerate(series):
            value = s.values[i]
            # A negative figure (a budget overspent) is shown by its label, not a bar.
            width = 0 if value is None else max(0, round(BAR_AREA * float(value) / top))
            bar_y = y + j * (BAR_HEIGHT + BAR_GAP)
            text = "none" if value is None else fmt(value)
            group.bars.append(
                Bar(LABEL_WIDTH, bar_y, width, BAR_HEIGHT, s.css_class, text, LABEL_WIDTH + width + 6, bar_y + 11)
            )
        groups.append(group)
        y += group_height + GROUP_GAP
    legend = []
    if show_legend:
        x = LABEL_WIDTH
        for s in series:
            legend.append(LegendItem(s.name, s.css_class, x, x + 16))
            x += 16 + 8 * len(s.name) + 20
    return BarChart(chart_id, title, summary, groups, legend, WIDTH, y - GROUP_GAP + 6)


def dollars(value) -> str:
    return f"-${-value:,.0f}" if value < 0 else f"${value:,.0f}"


def days(value) -> str:
    return f"{value:,.1f} d"


def count(value) -> str:
    return f"{value:,}"
