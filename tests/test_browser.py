"""The headless-browser helper itself: it sees a payload run, a broken link, image and anchor.

Positive controls for ``browser.py``: the same checks that pass on the run folders must fail on
pages built to fail them, or their passing would mean nothing.
"""

from browser import Browser, broken_links, page_ids

PIXEL = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="


def test_the_browser_check_detects_what_it_must(tmp_path):
    (tmp_path / "live.html").write_text(
        "<html><body><p>x <img src=x onerror=alert(1)></p><script>console.error('boom')</script>"
        f'<a href="text.html#here">ok</a><a href="text.html#nope">anchor</a><a href="gone.html">file</a>'
        f'<a href="text.html#01-%C2%B7-Data">as written</a><a href="text.html#02-%C2%B7-Models">decoded</a><a href="#top">self</a><a id="top" href="https://example.org/">web</a><img src="{PIXEL}"></body></html>',
        encoding="utf-8",
    )
    (tmp_path / "text.html").write_text(
        '<html><body><h1 id="here">t</h1><h2 id="01-%C2%B7-Data">encoded id</h2><h2 id="02-·-Models">plain id</h2><p>&lt;img src=x onerror=alert(2)&gt; &lt;/script&gt;&lt;script&gt;alert(3)&lt;/script&gt;</p></body></html>',
        encoding="utf-8",
    )
    with Browser() as browser:
        live, text = browser.check(tmp_path / "live.html"), browser.check(tmp_path / "text.html")
    assert live.script_ran == ["alert(1)"] and text.script_ran == []
    assert "boom" in live.console_errors and any("ERR_FILE_NOT_FOUND" in e for e in live.console_errors)
    assert text.console_errors == []
    assert [i["ok"] for i in live.images] == [False, True]
    base = tmp_path.resolve().as_uri()
    assert broken_links(live, tmp_path, page_ids) == [f"{base}/x", f"{base}/text.html#nope", f"{base}/gone.html"]
    assert broken_links(text, tmp_path, page_ids) == []
