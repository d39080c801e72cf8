"""Recording what a change pushes, for tests (after Zulip's tests: check the events an action
sends): a capturing sink installed in place of the presentation app's, for the block."""

from collections.abc import Iterator
from contextlib import contextmanager

from board.live import LiveSink
from workshops import events


class CapturingSink(LiveSink):
    """The live sink, recording (group, kind) of every push and control message it sends."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.html: list[tuple[str, str]] = []  # (group, HTML) of every push
        self.events: list[events.Event] = []

    def __call__(self, event: events.Event) -> None:
        self.events.append(event)
        super().__call__(event)

    def publish(self, group: str, kind: str, html: str) -> None:
        self.sent.append((group, kind))
        self.html.append((group, html))
        super().publish(group, kind, html)

    def control(self, group: str, kind: str, message: dict) -> None:
        self.sent.append((group, kind))
        super().control(group, kind, message)


@contextmanager
def capture() -> Iterator[list[tuple[str, str]]]:
    """Collect (group, kind) for every push sent inside the block (and by timers it started,
    while it lasts)."""
    sink = CapturingSink()
    previous = events.install_sink(sink)
    try:
        yield sink.sent
    finally:
        events.install_sink(previous)
