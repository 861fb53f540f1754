"""Agent-based economic simulation of LabelDAO against the real contracts.

`scenario` loads and validates a scenario file, `agents` holds the agents
and their decisions, `model` is the pure-Python reference model checked
against the chain after every epoch, `engine` runs the epochs on
titanoboa, `results` writes CSV, JSON and plots, and `sweep` runs grids of
scenarios. `scripts/simulate.py` is the command line.
"""
