"""Sphinx configuration of Smaug's release notes.

The notes are YAML files in ``releasenotes/notes``, written with reno
(``reno new <slug>``). With reno installed, its Sphinx extension is loaded
and ``reno report`` renders them; without it this site still builds, with
the index explaining where the notes are.
"""
import datetime
import importlib.util

project = 'Smaug release notes'
author = 'The Smaug developers'
copyright = '%d, %s' % (datetime.date.today().year, author)

extensions = []
if importlib.util.find_spec('reno') is not None:
    extensions.append('reno.sphinxext')

root_doc = 'index'
source_suffix = {'.rst': 'restructuredtext'}
exclude_patterns = ['_build']
language = 'en'
html_theme = 'alabaster'
html_show_sourcelink = False
