from django.apps import AppConfig


class BoardConfig(AppConfig):
    """The presentation app: every page, fragment and live push that shows tasks together with
    their analyses. It sits above `ai` and `workshops` and plugs into them at start-up."""

    name = "board"
    verbose_name = "화면"

    def ready(self):
        from board.live import LiveSink  # imports models: only once the registry is ready
        from workshops import events

        events.install_sink(LiveSink())
