"""The live layer: presence, publishing rendered fragments, and delivery metrics.

Services never touch this package directly; they call `workshops.events`, which renders each
fragment once per audience and hands it to `publisher.send`.
"""
