"""Process sources for ``python -m tools.bpmn_layout``: one module per ``bpmn/<process_id>.bpmn``, each with
``build() -> tools.bpmn_layout.Process``."""
