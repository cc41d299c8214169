"""The PDFs' one typeface: Adobe's Song for Simplified Chinese (STSong-Light), one of the
fonts every PDF reader provides itself, so there is no font file to ship or embed. It has
Latin letters and digits too, but not every symbol (no "·", no "—"), so the layouts stick to
plain punctuation and the ideographic space. Used by the fee notices, the complaints' written
replies and the monthly report."""

FONT = "STSong-Light"
_registered = False


def register_cjk_font() -> None:
    """Make FONT known to reportlab (once per process), before a document uses it."""
    global _registered
    if not _registered:
        # reportlab is heavy and only a printed document needs it: imported when one is made.
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont

        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _registered = True
