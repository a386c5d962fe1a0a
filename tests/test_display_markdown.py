"""display.screen_only renders Markdown blocks (context.Markdown) as HTML, never as their repr."""

from audit_helpers import show as display
from audit_helpers.context import Markdown


def test_screen_only_renders_markdown_and_keeps_it_escaped():
    block = display.screen_only([Markdown("**bold** <script>x</script>\n\n| a | b |\n|---|---|\n| 1 | 2 |"),
                                 display.HTML("<i>kept</i>")], summary="detail", print_note="in the HTML")
    markup = block._repr_html_()
    assert "<strong>bold</strong>" in markup and "<table>" in markup and "<i>kept</i>" in markup
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    assert "object at 0x" not in markup and 'class="print-only print-note">in the HTML<' in markup
