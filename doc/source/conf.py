"""Sphinx configuration of Smaug's documentation.

Only Sphinx itself is needed: ``pip install -r doc/requirements.txt`` and
``sphinx-build -W -b html doc/source doc/build/html`` (or ``tox -e docs``).
"""
import datetime
import os

_HERE = os.path.dirname(os.path.abspath(__file__))

project = 'Smaug'
author = 'The Smaug developers'
copyright = '%d, %s' % (datetime.date.today().year, author)

extensions = []

root_doc = 'index'
source_suffix = {'.rst': 'restructuredtext'}
exclude_patterns = ['_build']

language = 'en'
pygments_style = 'sphinx'
highlight_language = 'none'

html_theme = 'alabaster'
html_title = 'Smaug documentation'
html_show_sourcelink = False

# Publish the OpenAPI document of the v1 API next to the pages, as the API
# serves it at /openapi.json, once ``tox -e genopenapi`` has written it.
html_extra_path = [path for path in ('api/openapi.json',)
                   if os.path.exists(os.path.join(_HERE, path))]
