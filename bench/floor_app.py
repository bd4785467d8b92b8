"""The framework's floor: a minimal Flask app serving pre-rendered pages of the same size.

Each file ``<name>.html`` in ``FLOOR_PAGES`` (a page the shop served, saved by the
benchmark) is compiled once as a Jinja template (its text taken verbatim, inside
``{% raw %}``) and rendered per request at ``/<name>``, so the floor pays for routing, one
template render and a response of the same size, but no database and no application logic.
"""

import os
from pathlib import Path

from flask import Flask, abort

app = Flask(__name__)
_pages = {
    path.stem: app.jinja_env.from_string("{% raw %}" + path.read_text() + "{% endraw %}")
    for path in Path(os.environ["FLOOR_PAGES"]).glob("*.html")
}


@app.get("/<name>")
def page(name: str):
    template = _pages.get(name)
    if template is None:
        abort(404)
    return template.render()
