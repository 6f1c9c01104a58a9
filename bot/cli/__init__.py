"""The operator's room: the ``datatool`` command line."""
