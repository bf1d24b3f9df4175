"""Animation files: the self-contained HTML page (slider, buttons) and the GIF.

The page inlines every frame's SVG and a few lines of script: it opens from disk,
loads nothing from the network, and steps with the slider, the buttons, the arrow keys
or ``play``. The GIF is assembled from PNG frames with Pillow, imported when needed.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from autograd.viz.rendering import import_pillow
from autograd.viz.text import xml

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 1rem; color: #111827; }}
h1 {{ font-size: 1.5rem; margin: 0 0 .5rem 0; }}
#controls {{ display: flex; gap: .5rem; align-items: center; margin: .5rem 0; }}
#slider {{ flex: 1; max-width: 40rem; }}
#readout {{ font-family: monospace; min-width: 8rem; }}
.frame {{ display: none; }}
.frame.current {{ display: block; }}
.frame svg {{ max-width: 100%; height: auto; }}
p.legend {{ margin: .25rem 0; max-width: 80rem; }}
p.legend span {{ padding: 0 .4rem; border: 1px solid #9ca3af; }}
</style>
</head>
<body>
<h1>{title}</h1>
{legend}
<div id="controls">
<button id="prev" type="button">&lt; prev</button>
<button id="play" type="button">play</button>
<button id="next" type="button">next &gt;</button>
<input id="slider" type="range" min="1" max="{count}" value="1" step="1"
 aria-label="step">
<span id="readout">{noun} 1 / {count}</span>
</div>
<div id="frames">
{frames}
</div>
<script>
(function () {{
  var frames = document.querySelectorAll(".frame");
  var slider = document.getElementById("slider");
  var readout = document.getElementById("readout");
  var play = document.getElementById("play");
  var timer = null;
  function show(n) {{
    n = Math.max(1, Math.min(frames.length, n));
    for (var i = 0; i < frames.length; i++) {{
      frames[i].classList.toggle("current", i === n - 1);
    }}
    slider.value = String(n);
    readout.textContent = "{noun} " + n + " / " + frames.length;
  }}
  function current() {{ return Number(slider.value); }}
  function stop() {{
    if (timer !== null) {{ clearInterval(timer); timer = null; }}
    play.textContent = "play";
  }}
  slider.addEventListener("input", function () {{ show(current()); }});
  slider.addEventListener("change", function () {{ show(current()); }});
  document.getElementById("prev").addEventListener("click", function () {{
    stop(); show(current() - 1);
  }});
  document.getElementById("next").addEventListener("click", function () {{
    stop(); show(current() + 1);
  }});
  play.addEventListener("click", function () {{
    if (timer !== null) {{ stop(); return; }}
    if (current() === frames.length) {{ show(1); }}
    play.textContent = "pause";
    timer = setInterval(function () {{
      if (current() >= frames.length) {{ stop(); return; }}
      show(current() + 1);
    }}, {interval});
  }});
  document.addEventListener("keydown", function (event) {{
    if (event.target === slider) {{ return; }}
    if (event.key === "ArrowLeft") {{ stop(); show(current() - 1); }}
    if (event.key === "ArrowRight") {{ stop(); show(current() + 1); }}
  }});
  show(1);
}})();
</script>
</body>
</html>
"""


def svg_element(svg: str) -> str:
    """The ``<svg>`` element alone (no XML prolog or DOCTYPE pointing elsewhere)."""
    return svg[svg.index("<svg") :].strip()


def html_page(
    title: str,
    legend: str,
    svgs: Sequence[str],
    seconds_per_step: float,
    noun: str = "step",
) -> str:
    """One page: every frame's SVG inline, a slider and buttons, nothing external.

    ``title`` is plain text (escaped here); ``legend`` is HTML, placed as it is.
    """
    frames = "\n".join(
        f'<div class="frame{" current" * (n == 1)}" id="frame-{n}">\n'
        f"{svg_element(svg)}\n</div>"
        for n, svg in enumerate(svgs, 1)
    )
    return _PAGE.format(
        title=xml(title),
        legend=legend,
        count=len(svgs),
        frames=frames,
        noun=noun,
        interval=max(1, round(seconds_per_step * 1000)),
    )


def write_gif(
    path: Path, images: Sequence[Any], seconds_per_step: float, what: str
) -> None:
    """Assemble frames (PNG bytes or Pillow images) into a looping GIF.

    Frames are padded to one size on white; the last is held three times as long.
    """
    image_module = import_pillow(what)
    opened = [
        image_module.open(io.BytesIO(im)) if isinstance(im, bytes) else im
        for im in images
    ]
    rgb = [im.convert("RGB") for im in opened]
    width = max(im.width for im in rgb)
    height = max(im.height for im in rgb)
    frames = []
    for im in rgb:
        canvas = image_module.new("RGB", (width, height), "white")
        canvas.paste(im, (0, 0))
        frames.append(
            canvas.quantize(colors=256, method=image_module.Quantize.MEDIANCUT)
        )
    step_ms = max(1, round(seconds_per_step * 1000))
    durations = [step_ms] * (len(frames) - 1) + [step_ms * 3]
    frames[0].save(
        path,
        save_all=True,
        append_images=frames[1:],
        duration=durations,
        loop=0,
        disposal=1,
    )
