"""The engine: reads a table as CSV, checks each cell against its column's type and constraints, and checks keys and
foreign keys across tables. Standard library only; it knows nothing of this project's rules.

- :mod:`.problems`: a located problem, and the collector that caps them per column;
- :mod:`.tables`: the columns kept for keys and rules, and the report;
- :mod:`.reading`: a table's bytes and records;
- :mod:`.cells`: the header and each value;
- :mod:`.keys`: primary, unique and foreign keys, and what a run shares across tables.
"""
