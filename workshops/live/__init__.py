"""The live layer's transport: presence (who has which page open), the publisher (hands
rendered fragments to the channel layer, nothing else) and delivery metrics.

Services never touch this package; they announce events (`workshops.events`), and the
presentation app's sink (`board.live`) renders them and calls `publisher.send`.
"""
