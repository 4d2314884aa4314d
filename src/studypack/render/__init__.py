"""Model + pack -> HTML through sandboxed Jinja2 templates; what a pack may not put in its HTML or CSS.

The writers use the names exported here: the renderer (renderer.py), the
environment its templates come from (environment.py), the allow-list every
page passes through (clean.py) and the checks on what a pack's stylesheets,
data: URLs and SVG pictures bring in (sanitise.py).
"""

from .clean import clean_page
from .environment import make_environment
from .renderer import STYLESHEETS, Renderer, kind_of, precompile
from .sanitise import check_css, check_stylesheet, check_svg, css_urls

__all__ = ["STYLESHEETS", "Renderer", "check_css", "check_stylesheet", "check_svg", "clean_page", "css_urls", "kind_of", "make_environment", "precompile"]
