"""Model + pack -> HTML through sandboxed Jinja2 templates; what a pack may not put in its HTML or CSS.

The writers use the names exported here; the modules say where each lives.
"""

from .renderer import STYLESHEETS, Renderer, check_stylesheet, css_urls, kind_of, make_environment, precompile, refuse_scripts

__all__ = ["STYLESHEETS", "Renderer", "check_stylesheet", "css_urls", "kind_of", "make_environment", "precompile", "refuse_scripts"]
