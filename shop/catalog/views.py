"""Public catalog routes (placeholder until the catalog lands)."""

from flask import render_template_string

from shop.catalog import bp

_PLACEHOLDER = "{% extends 'base.html' %}{% block content %}<h1>Karya Binaan</h1>{% endblock %}"


@bp.get("/")
def home():
    return render_template_string(_PLACEHOLDER)


@bp.get("/produk")
def listing():
    return render_template_string(_PLACEHOLDER)


@bp.get("/fasilitas")
def facilities():
    return render_template_string(_PLACEHOLDER)
