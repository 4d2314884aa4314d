"""Model + pack -> HTML through sandboxed Jinja2 templates; what a pack may not put in its HTML or CSS.

The writers use the names exported here: the renderer (renderer.py), the
environment its templates come from (environment.py) and the checks on what a
pack's templates and stylesheets bring in (sanitise.py).
"""

from .environment import make_environment
from .renderer import STYLESHEETS, Renderer, kind_of, precompile
from .sanitise import check_stylesheet, css_urls, refuse_scripts

__all__ = ["STYLESHEETS", "Renderer", "check_stylesheet", "css_urls", "kind_of", "make_environment", "precompile", "refuse_scripts"]
