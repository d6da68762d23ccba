"""The report model and its renderers: the context document and the Markdown report."""
